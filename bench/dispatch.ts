// Dispatch throughput: no-op jobs per second through the whole lifecycle (created → processing →
// success, with events, under the scheduler's locks and limits), with 1, 2 and 4 worker processes
// on PostgreSQL, beside pg-boss doing the same number of no-op jobs on the same database.
//   npm run bench:dispatch -- [--jobs 2000] [--concurrency 8] [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import { PgBoss } from "pg-boss";
import pg from "pg";
import { createToken } from "@/lib/auth/tokens";
import { openDb } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, createDatabase } from "@/test/postgres";
import { machine, options, table } from "./lib";

const opts = options({ jobs: { default: "2000" }, concurrency: { default: "8" } });
const jobs = opts.quick ? Math.min(opts.jobs, 500) : opts.jobs;
const processCounts = [1, 2, 4];

function spawnProcess(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return { child, exited: new Promise((r) => child.on("exit", () => r())) };
}

async function until(check: () => Promise<boolean>) {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

async function jobdeck(url: string, processes: number): Promise<number> {
  const handle = openDb({ kind: "postgresql", url, poolSize: 4 });
  const { db } = handle;
  await registerComponents(db);
  const project = await db.project.create({ data: { name: `bench ${processes}`, maxProcessingJobs: processes * opts.concurrency } });
  const token = await createToken({ db, projectId: project.id, description: "bench" });
  for (let i = 0; i < jobs; i++) {
    await createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.noop", configData: { i }, mode: "run" } });
  }
  const workers = Array.from({ length: processes }, () =>
    spawnProcess(["--conditions=react-server", "--import", "tsx", "worker/main.ts"], { DATABASE_URL: url, WORKER_CONCURRENCY: String(opts.concurrency) }),
  );
  // The clock starts when the first job starts (process start-up is not dispatch).
  await until(async () => (await db.job.count({ where: { projectId: project.id, status: { not: "created" } } })) > 0);
  const t0 = performance.now();
  await until(async () => (await db.job.count({ where: { projectId: project.id, status: "success" } })) === jobs);
  const seconds = (performance.now() - t0) / 1000;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  await handle.close();
  return jobs / seconds;
}

async function pgboss(url: string, processes: number, batchSize: number): Promise<number> {
  const queue = `bench_${processes}_${Date.now()}`;
  const boss = new PgBoss({ connectionString: url, max: 4 });
  await boss.start();
  await boss.createQueue(queue, { notify: true } as never);
  for (let i = 0; i < jobs; i += 500) {
    await boss.insert(queue, Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ data: { i: i + k } })));
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const done = async () => Number((await client.query(`SELECT count(*) FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [queue])).rows[0].count);
  const active = async () => Number((await client.query(`SELECT count(*) FROM pgboss.job WHERE name = $1 AND state <> 'created'`, [queue])).rows[0].count);
  const workers = Array.from({ length: processes }, () => spawnProcess(["--import", "tsx", "bench/pgboss-worker.ts", url, queue, String(opts.concurrency), String(batchSize)], {}));
  await until(async () => (await active()) > 0);
  const t0 = performance.now();
  await until(async () => (await done()) === jobs);
  const seconds = (performance.now() - t0) / 1000;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  await client.end();
  await boss.stop({ graceful: false });
  return jobs / seconds;
}

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
try {
  const migrate = spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: database.url }, stdio: "ignore" });
  await new Promise((r) => migrate.on("exit", r));
  console.log(`Dispatch throughput — ${jobs} no-op jobs, ${opts.concurrency} slots per process — ${machine("PostgreSQL 127.0.0.1")}`);
  const rows = [];
  for (const processes of processCounts) {
    const ours = await jobdeck(database.url, processes);
    const single = await pgboss(database.url, processes, 1);
    const batched = await pgboss(database.url, processes, 50);
    rows.push({
      processes,
      "jobdeck jobs/s": ours,
      "pg-boss 1/fetch": single,
      "pg-boss 50/fetch": batched,
      "÷ 1/fetch": ours / single,
      "÷ 50/fetch": ours / batched,
    });
  }
  table(
    "target: jobdeck ≥ pg-boss. Jobdeck writes 3 events per job and decides locks and limits per claim; pg-boss " +
      "is shown fetching one job at a time (per-job lifecycle, as Jobdeck) and 50 at a time (its bulk mode).",
    rows,
  );
} finally {
  await database.drop();
}
