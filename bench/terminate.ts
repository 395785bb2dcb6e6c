// Terminate latency: from the kill request to `terminated`, for processing jobs run by worker
// processes on PostgreSQL (the signal travels by NOTIFY).
//   npm run bench:terminate -- [--jobs 40] [--quick]
// `--pglite`: the default a new user gets instead — `npm start` on the embedded database, workers
// inside the server, the demo's activity on — over HTTP; and how soon a new job starts on an idle one.
//   npm run bench:terminate -- --pglite [--jobs 30]
import { type ChildProcess, spawn } from "node:child_process";
import { createToken } from "@/lib/auth/tokens";
import { openDb } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, createDatabase } from "@/test/postgres";
import { machine, options, percentile, table } from "./lib";

const opts = options({ jobs: { default: process.argv.includes("--pglite") ? "30" : "40" } });
const jobs = opts.quick ? Math.min(opts.jobs, 16) : opts.jobs;
if (process.argv.includes("--pglite")) {
  await embeddedBench(jobs);
  process.exit(0);
}

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
const workers: ChildProcess[] = [];
try {
  await new Promise((r) =>
    spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: database.url }, stdio: "ignore" }).on("exit", r),
  );
  const { db, close } = openDb({ kind: "postgresql", url: database.url, poolSize: 4 });
  await registerComponents(db);
  const project = await db.project.create({ data: { name: "bench", maxProcessingJobs: jobs } });
  const token = await createToken({ db, projectId: project.id, description: "bench" });
  for (let i = 0; i < 2; i++) {
    workers.push(
      spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "worker/main.ts"], {
        env: { ...process.env, DATABASE_URL: database.url, WORKER_CONCURRENCY: String(Math.ceil(jobs / 2)) },
        stdio: ["ignore", "ignore", "inherit"],
      }),
    );
  }
  const ids: bigint[] = [];
  for (let i = 0; i < jobs; i++) {
    ids.push((await createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.generator", configData: { durationSeconds: 3600, i }, mode: "run" } })).id);
  }
  while ((await db.job.count({ where: { id: { in: ids }, status: "processing" } })) < jobs) await new Promise((r) => setTimeout(r, 50));

  const latencies: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await killJob({ db, projectId: project.id, id: id.toString() });
    for (;;) {
      const job = await db.job.findUniqueOrThrow({ where: { id }, select: { status: true } });
      if (job.status === "terminated") break;
      await new Promise((r) => setTimeout(r, 2));
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  console.log(`Terminate latency — ${jobs} processing jobs on 2 worker processes — ${machine("PostgreSQL 127.0.0.1")}`);
  table("target: p95 ≤ 1000 ms", [
    { jobs, "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95), "max ms": latencies.at(-1)!, "p95 ÷ target": percentile(latencies, 95) / 1000 },
  ]);
  await close();
} finally {
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on("exit", r)))));
  await database.drop();
}

/** `npm start` as a new user runs it, driven over HTTP with the demo token. */
async function embeddedBench(kills: number): Promise<void> {
  const { startJobdeckServer } = await import("@/test/faults/jobdeck-server");
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const run = async (demoActivity: "0" | "1", body: (call: (method: string, path: string, data?: unknown) => Promise<Record<string, unknown>>) => Promise<void>) => {
    const server = await startJobdeckServer({ databaseUrl: null, env: { JOBDECK_DEMO_ACTIVITY: demoActivity }, ports: [3440, 3499] });
    try {
      const call = async (method: string, path: string, data?: unknown) => {
        const response = await fetch(`${server.base}${path}`, {
          method,
          headers: { "X-StorageApi-Token": server.demoToken, "Content-Type": "application/json" },
          ...(data !== undefined && { body: JSON.stringify(data) }),
        });
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
        return (await response.json()) as Record<string, unknown>;
      };
      await body(call);
    } finally {
      await server.stop();
    }
  };
  const waitStatus = async (call: (m: string, p: string) => Promise<Record<string, unknown>>, id: string, statuses: string[]) => {
    for (;;) {
      const job = await call("GET", `/api/jobs/${id}`);
      if (statuses.includes(String(job.status))) return;
      await sleep(5);
    }
  };
  const generator = (durationSeconds: number) => ({ component: "jobdeck.generator", configData: { durationSeconds, rows: 10 }, mode: "run" });

  const latencies: number[] = [];
  await run("1", async (call) => {
    await sleep(3_000); // let the demo activity get going
    // Two at a time: the embedded default has 4 worker slots and the demo's jobs take some.
    while (latencies.length < kills) {
      const ids = await Promise.all([0, 1].map(async () => String((await call("POST", "/api/jobs", generator(3600))).id)));
      for (const id of ids) await waitStatus(call, id, ["processing"]);
      await sleep(Math.random() * 2_000); // anywhere in the heartbeat cycle
      for (const id of ids) {
        const t0 = performance.now();
        await call("POST", `/api/jobs/${id}/kill`);
        await waitStatus(call, id, ["terminated"]);
        latencies.push(performance.now() - t0);
      }
    }
  });
  const starts: number[] = [];
  const health: number[] = [];
  let heavyKill = NaN;
  await run("0", async (call) => {
    // Idle: the seeded demo's queued jobs have all run.
    for (let i = 0; i < 600; i++) {
      const busy = (await call("GET", "/api/search/jobs?status[]=created&status[]=waiting&status[]=processing&limit=1")) as unknown as unknown[];
      if (busy.length === 0) break;
      await sleep(200);
    }
    for (let i = 0; i < 10; i++) {
      await sleep(1_500 + Math.random() * 1_000); // idle: every worker slot asleep
      const t0 = performance.now();
      const { id } = await call("POST", "/api/jobs", generator(1));
      await waitStatus(call, String(id), ["processing", "success", "error"]);
      starts.push(performance.now() - t0);
    }
    // A SQL transformation counting 27 billion combinations of three small series (minutes of CPU,
    // little memory): the server must keep answering.
    const sql = "CREATE TABLE counted AS SELECT count(*) AS n FROM generate_series(1, 3000) AS a, generate_series(1, 3000) AS b, generate_series(1, 3000) AS c";
    const { id } = await call("POST", "/api/jobs", { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql }, mode: "run" });
    await waitStatus(call, String(id), ["processing"]);
    await sleep(2_000);
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await call("GET", "/api/health");
      health.push(performance.now() - t0);
      await sleep(10);
    }
    const t0 = performance.now();
    await call("POST", `/api/jobs/${id}/kill`);
    await waitStatus(call, String(id), ["terminated"]);
    heavyKill = performance.now() - t0;
  });
  latencies.sort((a, b) => a - b);
  starts.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  console.log(`Terminate latency and job start — npm start on the embedded database (PGlite), in-process workers — ${machine("PGlite")}`);
  table("kill → terminated, demo activity on (target: p95 ≤ 1000 ms)", [
    { kills: latencies.length, "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95), "max ms": latencies.at(-1)!, "p95 ÷ target": percentile(latencies, 95) / 1000 },
  ]);
  table("create → processing on an idle server (target: ≤ 200 ms)", [
    { jobs: starts.length, "p50 ms": percentile(starts, 50), "p95 ms": percentile(starts, 95), "max ms": starts.at(-1)!, "p95 ÷ target": percentile(starts, 95) / 200 },
  ]);
  table("GET /api/health while a SQL job counts 27 billion combinations, then its kill (target: p99 ≤ 200 ms, kill ≤ 1000 ms)", [
    { requests: health.length, "p50 ms": percentile(health, 50), "p99 ms": percentile(health, 99), "max ms": health.at(-1)!, "kill → terminated ms": heavyKill },
  ]);
}
