// Shared by bench:search and bench:polling: a fresh PostgreSQL database, migrated, served by
// `npm start` (no workers, no demo trickle), and N jobs with children and events seeded by
// set-based SQL.
import { type ChildProcess, spawn } from "node:child_process";
import pg from "pg";
import { adminUrl, createDatabase } from "@/test/postgres";

export const BENCH_TOKEN = "bench-token-0123456789abcdef";

/**
 * $4 jobs of project $2 (token $3) from id $1 on, by one set-based INSERT: every 5th job is a root
 * and the 4 after it are its children; statuses and times spread over the last 90 days.
 */
export const SEED_JOBS_SQL = `INSERT INTO "Job" (id, "projectId", "tokenId", "runId", "parentRunId", "rootRunId", status, "desiredStatus", mode, type, component, config,
     "branchId", "createdTime", "startTime", "endTime", "durationSeconds", credits, result, "usageData", "updatedAt")
   SELECT id, $2, $3,
     CASE WHEN k = 0 THEN id::text ELSE (id - k)::text || '.' || id END,
     CASE WHEN k = 0 THEN NULL ELSE (id - k)::text END,
     (id - k)::text,
     (ARRAY['success','success','success','success','error','warning','cancelled','terminated'])[1 + (id % 8)],
     'processing', 'run', CASE WHEN k = 0 THEN 'orchestrationContainer' ELSE 'standard' END,
     CASE WHEN k = 0 THEN 'keboola.orchestrator' ELSE (ARRAY['keboola.ex-http','jobdeck.sql-transformation','jobdeck.generator','jobdeck.wr-files'])[k] END,
     (100 + (id % 20))::text, 'default', created, created + interval '5 seconds', created + interval '5 seconds' + (id % 600) * interval '1 second',
     (id % 600)::int, ((id % 600) / 3600.0 * 2), '{}', '{}', created
   FROM (SELECT g + $1 - 1 AS id, (g - 1) % 5 AS k, now() - interval '90 days' + (g::float / $4) * interval '90 days' AS created
         FROM generate_series(1, $4::int) g) s`;

export type SeededServer = {
  base: string;
  client: pg.Client;
  projectId: number;
  /** The first seeded id; every 5th job from here is a root with the 4 after it as children. */
  start: number;
  jobs: number;
  seedSeconds: number;
  /** A child job with a 100,000-event log. */
  busyRun: string;
  stop(): Promise<void>;
};

export async function startSeededServer({ jobs, port, env = {} }: { jobs: number; port: number; env?: Record<string, string> }): Promise<SeededServer> {
  const base = `http://localhost:${port}`;
  const database = await createDatabase(adminUrl(), "jobdeck_bench_");
  const client = new pg.Client({ connectionString: database.url });
  let server: ChildProcess | null = null;
  const stop = async () => {
    if (server?.pid) process.kill(-server.pid, "SIGTERM");
    await client.end().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    await database.drop();
  };
  try {
    await run(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: database.url });
    // `npm start` seeds the demo project (with BENCH_TOKEN) and serves; no workers, no demo trickle.
    server = spawn("npm", ["start"], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: String(port),
        JOBDECK_DEMO_TOKEN: BENCH_TOKEN,
        JOBDECK_IN_PROCESS_WORKERS: "0",
        JOBDECK_DEMO_ACTIVITY: "0",
        JOBDECK_DATA_DIR: `/tmp/jobdeck-bench-${Date.now()}`,
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
      // Its own process group: stopping it must also stop the Next.js server npm started.
      detached: true,
    });
    await waitForServer(base);
    await client.connect();
    const [{ id: projectId }] = (await client.query(`SELECT id FROM "Project" WHERE "isDemo"`)).rows;
    const [{ id: tokenId }] = (await client.query(`SELECT min(id) AS id FROM "Token" WHERE "projectId" = $1`, [projectId])).rows;

    const t0 = performance.now();
    const start = Number((await client.query(`SELECT coalesce(max(id), 0) + 1000 AS s FROM "Job"`)).rows[0].s);
    await client.query(SEED_JOBS_SQL, [start, projectId, tokenId, jobs]);
    await afterSeededJobs(client, start, ["job.created", "job.finished"]);
    const busy = start + 1;
    const busyRun: string = (await client.query(`SELECT "runId" FROM "Job" WHERE id = $1`, [busy])).rows[0].runId;
    await client.query(
      `INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, created)
       SELECT $1, $2, $3, 'job.log', 'keboola.ex-http', 'line ' || g, 'info', now() FROM generate_series(1, 100000) g`,
      [projectId, busy, busyRun],
    );
    await client.query("ANALYZE");
    const seedSeconds = (performance.now() - t0) / 1000;
    // Settled before measuring: without it, autovacuum of the freshly inserted rows (they set
    // off its insert threshold) takes one of the cores during the runs that follow.
    await client.query(`VACUUM "Job", "JobEvent"`);
    return { base, client, projectId, start, jobs, seedSeconds, busyRun, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForServer(base: string) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the server did not start");
}

function run(cmd: string, args: string[], env: Record<string, string>) {
  return new Promise<void>((resolve, reject) =>
    spawn(cmd, args, { env: { ...process.env, ...env }, stdio: "ignore" }).on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed`)))),
  );
}

/**
 * After jobs were inserted with explicit ids from `fromId` on: moves the id sequence past them and
 * gives each of them the named events (at its createdTime).
 */
export async function afterSeededJobs(client: pg.Client, fromId: number, events: string[]): Promise<void> {
  await client.query(`SELECT setval(pg_get_serial_sequence('"Job"', 'id'), (SELECT max(id) FROM "Job"))`);
  await client.query(
    `INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, created)
     SELECT j."projectId", j.id, j."runId", e.event, j.component, e.event || ' of job ' || j.id, 'info', j."createdTime"
     FROM "Job" j CROSS JOIN unnest($2::text[]) e(event) WHERE j.id >= $1`,
    [fromId, events],
  );
}
