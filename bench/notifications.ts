// Notifications under load: failing jobs arriving at a steady rate, run by worker processes on
// PostgreSQL, each failure delivered to every one of the project's webhook subscriptions (a local
// receiver in this process); then a burst of failing jobs created at once (a fan-out failing, a
// backlog after an outage), whose deliveries come due together. Figures: deliveries per second,
// and the delay from the job's end (its endTime) to the receiver having the request.
//   npm run bench:notifications -- [--jobs 1000] [--seconds 60] [--burst 100] [--subscriptions 10] [--workers 2] [--quick]
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

const opts = options({ jobs: { default: "1000" }, seconds: { default: "60" }, burst: { default: "100" }, subscriptions: { default: "10" }, workers: { default: "2" } });
const jobs = opts.quick ? Math.min(opts.jobs, 200) : opts.jobs;
const seconds = opts.quick ? Math.min(opts.seconds, 12) : opts.seconds;
const burst = opts.quick ? Math.min(opts.burst, 20) : opts.burst;
const expected = (jobs + burst) * opts.subscriptions;

// Each first arrival: its job, when, and the delay from the job's end.
const arrivals: { job: bigint; at: number; delay: number }[] = [];
const ids = new Set<string>();
// When each delivery (by id) first reached the receiver, for the breakdown by phase.
const receivedAt = new Map<string, number>();
let duplicates = 0;
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
    const payload = JSON.parse(body) as { job: { id: string; endTime: string } };
    arrivals.push({ job: BigInt(payload.job.id), at, delay: at - Date.parse(payload.job.endTime) });
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
  const waitFor = async (count: number) => {
    const deadline = Date.now() + 120_000;
    while (ids.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  // The burst starts once the steady part is delivered, so each is measured apart.
  await waitFor(jobs * opts.subscriptions);
  const burstAt = Date.now();
  let burstFrom: bigint | null = null;
  for (let i = 0; i < burst; i++) {
    const job = await createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.generator", configData: { durationSeconds: 0, failureProbability: 1, burst: i }, mode: "run" } });
    burstFrom ??= job.id;
  }
  await waitFor(expected);
  const workersMs = workersCpu() - cpuBefore.workers;
  const dbMs = [...(await backends())].reduce((sum, [pid, ms]) => sum + ms - (cpuBefore.db.get(pid) ?? 0), 0);
  const failed = await db.notificationDelivery.count({ where: { status: "failed" } });
  // Sent more than once: a receiver's answer lost (a reset kept-alive connection, a timeout) shows here first.
  const retried = await db.notificationDelivery.count({ where: { attempts: { gt: 1 } } });
  console.log(
    `Notifications — ${jobs} failing jobs in ${seconds} s, then ${burst} at once, × ${opts.subscriptions} webhook subscriptions, ${opts.workers} worker processes — ${machine("PostgreSQL 127.0.0.1")}`,
  );
  const part = (name: string, of: typeof arrivals, since: number | null) => {
    const delays = of.map((a) => a.delay).sort((a, b) => a - b);
    const times = of.map((a) => a.at);
    // Steady: as fast as they came in; burst: how fast the senders drain it, from its first job's creation.
    const from = since ?? Math.min(...times);
    return {
      part: name,
      deliveries: of.length,
      "deliveries/s": of.length / Math.max(0.001, (Math.max(...times) - from) / 1000),
      "p50 ms": percentile(delays, 50),
      "p95 ms": percentile(delays, 95),
      "max ms": delays.at(-1) ?? NaN,
      "p95 ÷ target": percentile(delays, 95) / 2000,
    };
  };
  const inBurst = (a: (typeof arrivals)[number]) => burstFrom !== null && a.job >= burstFrom;
  table(`target: end-to-end delay p95 ≤ 2000 ms (job's endTime → request at the receiver); ${ids.size} of ${expected} delivered, ${duplicates} duplicates, ${retried} retried, ${failed} failed`, [
    part(`steady (${jobs} jobs in ${seconds} s)`, arrivals.filter((a) => !inBurst(a)), null),
    ...(burst > 0 ? [part(`burst (${burst} jobs at once)`, arrivals.filter(inBurst), burstAt)] : []),
  ]);
  if (burstFrom !== null) {
    // The burst's drain rate is bounded by its jobs too: how long they took to be run and ended.
    const [span] = await db.$queryRaw<{ started: number; ended: number }[]>`
      SELECT EXTRACT(EPOCH FROM (max("startTime") - min("createdTime"))) * 1000 AS started,
             EXTRACT(EPOCH FROM (max("endTime") - min("createdTime"))) * 1000 AS ended
      FROM "Job" WHERE "projectId" = ${project.id} AND id >= ${burstFrom}`;
    console.log(`burst: its last job started ${Math.round(Number(span?.started))} ms and ended ${Math.round(Number(span?.ended))} ms after its first was created`);
  }
  table("CPU per delivery (ms)", [{ workers: workersMs / Math.max(1, ids.size), "database backends": dbMs / Math.max(1, ids.size) }]);
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
