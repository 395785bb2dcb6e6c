// Dispatch throughput: no-op jobs per second through the whole lifecycle (created → processing →
// success, with events, under the scheduler's locks and limits), with 1, 2 and 4 worker processes
// on PostgreSQL, beside pg-boss doing the same number of no-op jobs on the same database. Jobdeck
// runs with `--concurrency` slots per process (as many jobs in flight as pg-boss fetching one at a
// time with `--concurrency` loops) and again with `--bulk` slots (default: as many as pg-boss's bulk
// mode holds, `--concurrency` loops × 50). Both are timed from their first job's start to their last
// job's end, read from the database, so process start-up counts for neither,
// and the queries per job are counted at the driver for one in-process worker.
//   npm run bench:dispatch -- [--jobs 5000] [--concurrency 8] [--bulk 400] [--pgboss 0] [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import { PgBoss } from "pg-boss";
import pg from "pg";
import { createToken } from "@/lib/auth/tokens";
import { openDb } from "@/lib/db";
import { LOCK_PROJECT_SCHEDULING } from "@/lib/jobs/claim-jobs";
import { createJob } from "@/lib/jobs/create-job";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, createDatabase } from "@/test/postgres";
import { startWorker } from "@/worker/worker";
import { machine, options, table } from "./lib";

const opts = options({ jobs: { default: "5000" }, concurrency: { default: "8" }, bulk: { default: "0" }, pgboss: { default: "1" } });
const jobs = opts.quick ? Math.min(opts.jobs, 500) : opts.jobs;
const processCounts = [1, 2, 4];
// pg-boss's bulk mode: each of its `--concurrency` fetch loops takes this many jobs at a time.
const BATCH = 50;
const bulkSlots = opts.bulk || opts.concurrency * BATCH;

function spawnProcess(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return { child, exited: new Promise((r) => child.on("exit", () => r())) };
}

async function until(check: () => Promise<boolean>) {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

async function seed(url: string, name: string, maxProcessingJobs: number) {
  const handle = openDb({ kind: "postgresql", url, poolSize: 4 });
  const { db } = handle;
  await registerComponents(db);
  const project = await db.project.create({ data: { name, maxProcessingJobs } });
  const token = await createToken({ db, projectId: project.id, description: "bench" });
  // Through the API's own createJob (a job and its job.created event), a few at a time.
  const create = (i: number) => createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.noop", configData: { i }, mode: "run" } });
  for (let i = 0; i < jobs; i += 4) await Promise.all(Array.from({ length: Math.min(4, jobs - i) }, (_, k) => create(i + k)));
  return { handle, db, project };
}

async function jobdeck(url: string, processes: number, concurrency: number): Promise<number> {
  const { handle, db, project } = await seed(url, `bench ${processes}×${concurrency}`, processes * concurrency);
  // Process start-up is not dispatch: the project's scheduling lock is held until every worker has
  // registered, so that all of them start together (on a loaded machine one can take seconds more).
  const gate = new pg.Client({ connectionString: url });
  await gate.connect();
  await gate.query("SELECT pg_advisory_lock($1::int, $2::int)", [LOCK_PROJECT_SCHEDULING, project.id]);
  const since = new Date();
  const workers = Array.from({ length: processes }, () =>
    spawnProcess(["--conditions=react-server", "--import", "tsx", "worker/main.ts"], { DATABASE_URL: url, WORKER_CONCURRENCY: String(concurrency) }),
  );
  await until(async () => (await db.worker.count({ where: { startedAt: { gte: since } } })) >= processes);
  await gate.query("SELECT pg_advisory_unlock($1::int, $2::int)", [LOCK_PROJECT_SCHEDULING, project.id]);
  await gate.end();
  await until(async () => (await db.job.count({ where: { projectId: project.id, status: "success" } })) === jobs);
  const [span] = await db.$queryRaw<{ seconds: number }[]>`
    SELECT extract(epoch FROM max("endTime") - min("startTime"))::float8 AS seconds FROM "Job" WHERE "projectId" = ${project.id}`;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  await handle.close();
  return jobs / span!.seconds;
}

/** Statements per job of one in-process worker, counted where the pg driver sends them (BEGIN and COMMIT included). */
async function queriesPerJob(url: string, concurrency: number): Promise<{ perJob: number; perClaim: number; top: string }> {
  const { handle, db, project } = await seed(url, `count ${concurrency}`, concurrency);
  const counts = new Map<string, number>();
  const original = pg.Client.prototype.query;
  const watcher = new pg.Client({ connectionString: url }); // the bench's own polling: not counted
  const patched = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === "string" ? first : (first?.text ?? "")).replace(/"public"\./g, "").replace(/\s+/g, " ").trim();
    if (this !== watcher) counts.set(text.slice(0, 40), (counts.get(text.slice(0, 40)) ?? 0) + 1);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = patched as typeof original;
  const worker = startWorker({ db, concurrency, log: () => undefined });
  await watcher.connect();
  const success = async () => Number((await watcher.query(`SELECT count(*) FROM "Job" WHERE "projectId" = $1 AND status = 'success'`, [project.id])).rows[0].count);
  await until(async () => (await success()) === jobs);
  pg.Client.prototype.query = original;
  await worker.stop();
  await watcher.end();
  await handle.close();
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const begins = counts.get("BEGIN") ?? 1;
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${(n / jobs).toFixed(2)} ${k}`).join("; ");
  return { perJob: total / jobs, perClaim: jobs / begins, top };
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
  const workers = Array.from({ length: processes }, () => spawnProcess(["--import", "tsx", "bench/pgboss-worker.ts", url, queue, String(opts.concurrency), String(batchSize)], {}));
  await until(async () => (await done()) === jobs);
  const { rows: [span] } = await client.query(`SELECT extract(epoch FROM max(completed_on) - min(started_on))::float8 AS seconds FROM pgboss.job WHERE name = $1`, [queue]);
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  await client.end();
  await boss.stop({ graceful: false });
  return jobs / span.seconds;
}

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
try {
  const migrate = spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: database.url }, stdio: "ignore" });
  await new Promise((r) => migrate.on("exit", r));
  console.log(`Dispatch throughput — ${jobs} no-op jobs, ${opts.concurrency} slots per process — ${machine("PostgreSQL 127.0.0.1")}`);
  const rows = [];
  for (const processes of processCounts) {
    const ours = await jobdeck(database.url, processes, opts.concurrency);
    const single = opts.pgboss ? await pgboss(database.url, processes, 1) : NaN;
    const batched = opts.pgboss ? await pgboss(database.url, processes, BATCH) : NaN;
    const bulk = await jobdeck(database.url, processes, bulkSlots);
    rows.push({
      processes,
      [`jobdeck ${opts.concurrency} slots`]: ours,
      "pg-boss 1/fetch": single,
      "÷ 1/fetch": ours / single,
      [`jobdeck ${bulkSlots} slots`]: bulk,
      [`pg-boss ${BATCH}/fetch`]: batched,
      [`÷ ${BATCH}/fetch`]: bulk / batched,
    });
  }
  table(
    `jobs/s, first start to last end; target: jobdeck ≥ pg-boss with as many jobs in flight per process. Jobdeck writes 3 events ` +
      `per job and decides locks and limits per claim. pg-boss runs ${opts.concurrency} fetch loops per process taking 1 job each ` +
      `(${opts.concurrency} in flight, beside Jobdeck's ${opts.concurrency} slots) or ${BATCH} each (its bulk mode, ` +
      `${opts.concurrency * BATCH} in flight, beside Jobdeck's ${bulkSlots} slots).`,
    rows,
  );
  const counted = [];
  for (const slots of [opts.concurrency, bulkSlots]) counted.push({ slots, ...(await queriesPerJob(database.url, slots)) });
  table(
    "Statements per job sent by one in-process Jobdeck worker (BEGIN/COMMIT, claims, finishes, heartbeats, recovery; job creation excluded); " +
      "jobs per claim; the three most frequent statements per job",
    counted.map((c) => ({ slots: c.slots, "statements/job": c.perJob, "jobs/claim": c.perClaim, "most frequent (per job)": c.top })),
  );
} finally {
  await database.drop();
}
