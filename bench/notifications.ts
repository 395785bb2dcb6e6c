// Notifications under load: failing jobs arriving at a steady rate, run by worker processes on
// PostgreSQL, each failure delivered to every one of the project's webhook subscriptions (a local
// receiver in this process). Figures: deliveries per second, and the delay from the job's end
// (its endTime) to the receiver having the request.
//   npm run bench:notifications -- [--jobs 1000] [--seconds 60] [--subscriptions 10] [--workers 2] [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createToken } from "@/lib/auth/tokens";
import { openDb } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { createSubscription } from "@/lib/notifications/subscriptions";
import { createSubscriptionSchema } from "@/lib/schemas/notifications";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, createDatabase } from "@/test/postgres";
import { machine, options, percentile, processCpuMs, table } from "./lib";

const opts = options({ jobs: { default: "1000" }, seconds: { default: "60" }, subscriptions: { default: "10" }, workers: { default: "2" } });
const jobs = opts.quick ? Math.min(opts.jobs, 200) : opts.jobs;
const seconds = opts.quick ? Math.min(opts.seconds, 12) : opts.seconds;
const expected = jobs * opts.subscriptions;

const delays: number[] = [];
const ids = new Set<string>();
// When each delivery (by id) first reached the receiver, for the breakdown by phase.
const receivedAt = new Map<string, number>();
let duplicates = 0;
let first = 0;
let last = 0;
const receiver = http.createServer((request, response) => {
  let body = "";
  request.on("data", (c: Buffer) => (body += c.toString()));
  request.on("end", () => {
    const at = Date.now();
    response.writeHead(204).end();
    const id = String(request.headers["x-jobdeck-delivery"]);
    if (ids.has(id)) return void duplicates++;
    ids.add(id);
    receivedAt.set(id, at);
    const payload = JSON.parse(body) as { job: { endTime: string } };
    delays.push(at - Date.parse(payload.job.endTime));
    first ||= at;
    last = at;
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
const workers: ChildProcess[] = [];
try {
  await new Promise((r) =>
    spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: database.url }, stdio: "ignore" }).on("exit", r),
  );
  const { db, close } = openDb({ kind: "postgresql", url: database.url, poolSize: 4 });
  await registerComponents(db);
  const project = await db.project.create({ data: { name: "bench", maxProcessingJobs: 50 } });
  const token = await createToken({ db, projectId: project.id, description: "bench" });
  for (let i = 0; i < opts.subscriptions; i++) {
    const input = createSubscriptionSchema.parse({ event: "job-failed", recipient: { channel: "webhook", url: `${hook}/${i}` } });
    await createSubscription({ db, projectId: project.id, tokenId: token.id, input });
  }
  for (let i = 0; i < opts.workers; i++) {
    workers.push(
      spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "worker/main.ts"], {
        env: { ...process.env, DATABASE_URL: database.url, WORKER_CONCURRENCY: "8", JOBDECK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1" },
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
  }
  // Jobs start once every worker has: its start-up (loading, compiling) is no part of the figures.
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          let out: string | null = "";
          w.stdout!.on("data", (chunk: Buffer) => {
            if (out === null) return; // drained from now on
            out += chunk.toString();
            if (/started with/.test(out)) {
              out = null;
              resolve();
            }
          });
          w.once("exit", (code) => reject(new Error(`a worker exited (${code}) before it started`)));
        }),
    ),
  );
  // CPU spent meanwhile by the worker processes and this database's backends: on a shared machine
  // the delays follow whoever else is busy, the CPU per delivery follows the code.
  const backends = async () =>
    new Map((await db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).map((r) => [r.pid, processCpuMs(r.pid)]));
  const workersCpu = () => workers.reduce((sum, w) => sum + processCpuMs(w.pid ?? 0), 0);
  const cpuBefore = { workers: workersCpu(), db: await backends() };
  // Failing jobs at a steady rate over `seconds`.
  const t0 = Date.now();
  for (let i = 0; i < jobs; i++) {
    const due = t0 + (i * seconds * 1000) / jobs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.generator", configData: { durationSeconds: 0, failureProbability: 1, i }, mode: "run" } });
  }
  const deadline = Date.now() + 120_000;
  while (ids.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const workersMs = workersCpu() - cpuBefore.workers;
  const dbMs = [...(await backends())].reduce((sum, [pid, ms]) => sum + ms - (cpuBefore.db.get(pid) ?? 0), 0);
  const failed = await db.notificationDelivery.count({ where: { status: "failed" } });
  delays.sort((a, b) => a - b);
  console.log(`Notifications — ${jobs} failing jobs in ${seconds} s × ${opts.subscriptions} webhook subscriptions, ${opts.workers} worker processes — ${machine("PostgreSQL 127.0.0.1")}`);
  table("target: end-to-end delay p95 ≤ 2000 ms (job's endTime → request at the receiver)", [
    {
      deliveries: ids.size,
      expected,
      duplicates,
      failed,
      "deliveries/s": ids.size / Math.max(0.001, (last - first) / 1000),
      "p50 ms": percentile(delays, 50),
      "p95 ms": percentile(delays, 95),
      "max ms": delays.at(-1) ?? NaN,
      "p95 ÷ target": percentile(delays, 95) / 2000,
      "workers CPU ms/delivery": workersMs / Math.max(1, ids.size),
      "db CPU ms/delivery": dbMs / Math.max(1, ids.size),
    },
  ]);
  // Where the delay accrues, per delivery's first attempt: the job's end → its outbox row (the
  // statement that ended it) → the attempt's start (claimed, facts loaded) → at the receiver.
  const phases = await db.$queryRaw<{ id: string; written: number; started: number; startedAt: number }[]>`
    SELECT d.id::text, EXTRACT(EPOCH FROM (d."createdAt" - j."endTime")) * 1000 AS written,
           EXTRACT(EPOCH FROM (a."startedAt" - d."createdAt")) * 1000 AS started, EXTRACT(EPOCH FROM a."startedAt") * 1000 AS "startedAt"
    FROM "NotificationDelivery" d JOIN "Job" j ON j.id = d."jobId"
    JOIN "NotificationAttempt" a ON a."deliveryId" = d.id AND a.attempt = 1`;
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const written = sorted(phases.map((p) => Number(p.written)));
  const claimed = sorted(phases.map((p) => Number(p.started)));
  const sent = sorted(phases.flatMap((p) => (receivedAt.has(p.id) ? [receivedAt.get(p.id)! - Number(p.startedAt)] : [])));
  table("where the delay accrues (first attempts, ms)", [
    { phase: "job's endTime → outbox row written", "p50 ms": percentile(written, 50), "p95 ms": percentile(written, 95), "max ms": written.at(-1) ?? NaN },
    { phase: "outbox row → attempt started (claim, facts)", "p50 ms": percentile(claimed, 50), "p95 ms": percentile(claimed, 95), "max ms": claimed.at(-1) ?? NaN },
    { phase: "attempt started → at the receiver", "p50 ms": percentile(sent, 50), "p95 ms": percentile(sent, 95), "max ms": sent.at(-1) ?? NaN },
  ]);
  await close();
} finally {
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on("exit", r)))));
  await database.drop();
  receiver.closeAllConnections();
  receiver.close();
}
