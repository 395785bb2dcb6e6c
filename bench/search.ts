// Search, polling and event-log figures at scale, on PostgreSQL:
//  1. seeds N jobs (roots with children, statuses and times spread over 90 days, events) with
//     set-based SQL into a fresh database;
//  2. p50/p95 of GET /api/search/jobs for the dashboard's common views, each beside the same query
//     as raw SQL on the same database in the same run;
//  3. the event log of a job with 100,000 events: first page and the next;
//  4. dashboard polling load with autocannon: job detail (conditional) and list requests.
//   npm run bench:search -- [--jobs 1000000] [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import pg from "pg";
import { adminUrl, createDatabase } from "@/test/postgres";
import { encodeCursor } from "@/lib/jobs/search-jobs";
import { machine, options, percentile, table } from "./lib";

const opts = options({ jobs: { default: "1000000" }, port: { default: "3199" }, samples: { default: "60" } });
const jobs = opts.quick ? Math.min(opts.jobs, 100_000) : opts.jobs;
const base = `http://localhost:${opts.port}`;
const TOKEN = "bench-token-0123456789abcdef";

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
const client = new pg.Client({ connectionString: database.url });
let server: ChildProcess | null = null;
try {
  await run(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: database.url });
  // `npm start` seeds the demo project (with TOKEN) and serves; no workers, no demo trickle.
  server = spawn("npm", ["start"], {
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(opts.port), JOBDECK_DEMO_TOKEN: TOKEN, JOBDECK_IN_PROCESS_WORKERS: "0", JOBDECK_DEMO_ACTIVITY: "0", JOBDECK_DATA_DIR: `/tmp/jobdeck-bench-${Date.now()}` },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group: stopping it must also stop the Next.js server npm started.
    detached: true,
  });
  await waitForServer();
  await client.connect();
  const [{ id: projectId }] = (await client.query(`SELECT id FROM "Project" WHERE "isDemo"`)).rows;
  const [{ id: tokenId }] = (await client.query(`SELECT min(id) AS id FROM "Token" WHERE "projectId" = $1`, [projectId])).rows;

  const t0 = performance.now();
  const start = Number((await client.query(`SELECT coalesce(max(id), 0) + 1000 AS s FROM "Job"`)).rows[0].s);
  // Every 5th job is a root; the 4 after it are its children. Statuses and times spread out.
  await client.query(
    `INSERT INTO "Job" (id, "projectId", "tokenId", "runId", "parentRunId", "rootRunId", status, "desiredStatus", mode, type, component, config,
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
           FROM generate_series(1, $4::int) g) s`,
    [start, projectId, tokenId, jobs],
  );
  await client.query(`SELECT setval(pg_get_serial_sequence('"Job"', 'id'), (SELECT max(id) FROM "Job"))`);
  await client.query(
    `INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, created)
     SELECT j."projectId", j.id, j."runId", e.event, j.component, e.event || ' of job ' || j.id, 'info', j."createdTime"
     FROM "Job" j CROSS JOIN (VALUES ('job.created'), ('job.finished')) e(event) WHERE j.id >= $1`,
    [start],
  );
  const busy = start + 1; // a child job that gets a 100,000-event log
  const busyRun = (await client.query(`SELECT "runId" FROM "Job" WHERE id = $1`, [busy])).rows[0].runId;
  await client.query(
    `INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, created)
     SELECT $1, $2, $3, 'job.log', 'keboola.ex-http', 'line ' || g, 'info', now() FROM generate_series(1, 100000) g`,
    [projectId, busy, busyRun],
  );
  await client.query("ANALYZE");
  const seedSeconds = (performance.now() - t0) / 1000;

  const mid = start + Math.floor(jobs / 2);
  const root = start + 5 * Math.floor(jobs / 10);
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const to = new Date(Date.now() - 29 * 86_400_000).toISOString();
  const cursor = encodeCursor({ sortBy: "id", sortOrder: "desc", id: String(mid) });
  const P = `"projectId" = ${projectId}`;
  const views: [string, string, string][] = [
    ["default (roots, newest)", "rootOnly=true&limit=50", `SELECT * FROM "Job" WHERE ${P} AND "parentRunId" IS NULL ORDER BY id DESC LIMIT 50`],
    ["one status", "status=error&limit=50", `SELECT * FROM "Job" WHERE ${P} AND status = 'error' ORDER BY id DESC LIMIT 50`],
    ["component + config", "componentId=jobdeck.generator&configId=103&limit=50", `SELECT * FROM "Job" WHERE ${P} AND component = 'jobdeck.generator' AND config = '103' ORDER BY id DESC LIMIT 50`],
    ["time range", `createdTimeFrom=${from}&createdTimeTo=${to}&limit=50`, `SELECT * FROM "Job" WHERE ${P} AND "createdTime" BETWEEN '${from}' AND '${to}' ORDER BY id DESC LIMIT 50`],
    ["deep cursor page", `limit=50&cursor=${cursor}`, `SELECT * FROM "Job" WHERE ${P} AND id < ${mid} ORDER BY id DESC LIMIT 50`],
    ["a parent's children", `parentRunId=${root}&limit=50`, `SELECT * FROM "Job" WHERE ${P} AND "parentRunId" = '${root}' ORDER BY id DESC LIMIT 50`],
  ];
  const rows = [];
  for (const [name, query, sql] of views) {
    const api = await sample(() => fetch(`${base}/api/search/jobs?${query}`, { headers: { "X-StorageApi-Token": TOKEN } }).then(ok));
    const raw = await sample(() => client.query(sql));
    rows.push({ view: name, "api p50 ms": percentile(api, 50), "api p95 ms": percentile(api, 95), "raw p50 ms": percentile(raw, 50), "raw p95 ms": percentile(raw, 95), "p95 api ÷ raw": percentile(api, 95) / percentile(raw, 95) });
  }
  console.log(`\nSearch at ${jobs.toLocaleString("en")} jobs (${(jobs * 2 + 100_000).toLocaleString("en")} events), seeded in ${seedSeconds.toFixed(1)} s — ${machine("PostgreSQL 127.0.0.1")}`);
  table("target: api p95 ≤ 25 ms and ≤ 2× the raw query", rows);

  const first = await sample(() => fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100`, { headers: { "X-StorageApi-Token": TOKEN } }).then(ok));
  const page = await (await fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100`, { headers: { "X-StorageApi-Token": TOKEN } })).json();
  const nextMax = Number(page.at(-1).id) - 1;
  const next = await sample(() => fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100&maxId=${nextMax}`, { headers: { "X-StorageApi-Token": TOKEN } }).then(ok));
  table("event log of a job with 100,000 events — target ≤ 50 ms each", [
    { page: "first", "p50 ms": percentile(first, 50), "p95 ms": percentile(first, 95) },
    { page: "next (maxId)", "p50 ms": percentile(next, 50), "p95 ms": percentile(next, 95) },
  ]);

  // Polling: a dashboard on a job detail sends its ETag back; list pages poll the newest roots.
  const detail = await fetch(`${base}/api/jobs/${root}`, { headers: { "X-StorageApi-Token": TOKEN } });
  const etag = detail.headers.get("etag");
  const load = await autocannon({
    url: base,
    connections: 50,
    duration: opts.quick ? 10 : 30,
    requests: [
      { method: "GET", path: `/api/jobs/${root}`, headers: { "X-StorageApi-Token": TOKEN, ...(etag && { "If-None-Match": etag }) } },
      { method: "GET", path: `/api/jobs/${root}`, headers: { "X-StorageApi-Token": TOKEN, ...(etag && { "If-None-Match": etag }) } },
      { method: "GET", path: `/api/jobs/${root}`, headers: { "X-StorageApi-Token": TOKEN, ...(etag && { "If-None-Match": etag }) } },
      { method: "GET", path: `/api/search/jobs?rootOnly=true&limit=50`, headers: { "X-StorageApi-Token": TOKEN } },
    ],
  });
  table(`dashboard polling (3 detail polls${etag ? " with If-None-Match" : ""} : 1 list poll), 50 connections — target ≥ 1,500 req/s, p99 ≤ 50 ms`, [
    {
      "req/s": load.requests.average,
      "p50 ms": load.latency.p50,
      "p99 ms": load.latency.p99,
      "304 (unchanged)": load.statusCodeStats?.["304"]?.count ?? 0,
      "other non-2xx": load.non2xx - (load.statusCodeStats?.["304"]?.count ?? 0),
      errors: load.errors,
      "req/s ÷ target": load.requests.average / 1500,
    },
  ]);
} finally {
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
  await client.end().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1000));
  await database.drop();
}

function ok(response: Response) {
  if (!response.ok && response.status !== 304) throw new Error(`HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function sample(work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

async function waitForServer() {
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
