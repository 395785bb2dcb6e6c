// Search and event-log figures at scale, on PostgreSQL:
//  1. seeds N jobs (roots with children, statuses and times spread over 90 days, events) with
//     set-based SQL into a fresh database (bench/seed-jobs.ts);
//  2. p50/p95 of GET /api/search/jobs for the dashboard's common views, each beside two raw SQL
//     figures on the same database in the same run, sampled in turns so load hits all alike:
//     - "api": over loopback HTTP with a keep-alive connection, as a browser asks (gzip); before
//       each request (and outside its time) one configuration of the project is touched, so its
//       version moves and the server builds the page anew, as on a live project;
//     - "full SQL": the statements the API runs for that request (the caller with the list's
//       version, then the page with its hydration and roll-up), recorded from the driver while this
//       process runs the same functions the route calls (authenticateCaller with
//       searchJobsVersion, searchJobs) and replayed with pg;
//     - "bare page": `SELECT * FROM "Job" … LIMIT 50`, the page alone, shown for honesty;
//  3. the event log of a job with 100,000 events: first page and the next.
//   npm run bench:search -- [--jobs 1000000] [--quick] [--port 3199] [--samples 200] [--sql]
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { queryObject } from "@/lib/api/handler";
import { authenticateCaller } from "@/lib/auth/caller";
import { searchJobsVersion, versionQuery } from "@/lib/jobs/job-version";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { encodeCursor, searchJobs } from "@/lib/jobs/search-jobs";
import { searchGroupedJobsQuery } from "@/lib/jobs/search-grouped-jobs";
import { searchGroupedJobsSchema } from "@/lib/schemas/grouped-jobs";
import { searchJobsSchema } from "@/lib/schemas/jobs";
import { machine, options, percentile, table } from "./lib";
import { BENCH_TOKEN, startSeededServer } from "./seed-jobs";

const opts = options({ jobs: { default: "1000000" }, port: { default: "3199" }, samples: { default: "200" } });
const printSql = Boolean(parseArgs({ strict: false, options: { sql: { type: "boolean" } } }).values.sql);
const jobs = opts.quick ? Math.min(opts.jobs, 100_000) : opts.jobs;
const samples = opts.quick ? Math.min(opts.samples, 60) : opts.samples;
const headers = { "X-StorageApi-Token": BENCH_TOKEN };
// One keep-alive connection, as a browser keeps to its server. (Node's fetch costs ≈ 1.5 ms of client
// time per request on this machine, more than the server spends on a small answer.)
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

type Statement = { text: string; values: unknown[] };

const seeded = await startSeededServer({ jobs, port: opts.port });
const { base, client, projectId, start, busyRun } = seeded;
try {
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
  // A server that has been answering a while: its routes loaded and compiled, before any view is timed.
  for (let i = 0; i < 20; i++) {
    for (const [, query] of views) {
      await touchConfiguration();
      await get(`/api/search/jobs?${query}`);
    }
  }
  const rows = [];
  for (const [name, query, bare] of views) {
    const statements = await recordStatements(query);
    if (printSql) console.log(`\n-- ${name}: ${statements.length} statements\n${statements.map((s) => `${s.text.trim()}\n-- ${JSON.stringify(s.values)}`).join("\n")}`);
    const [api = [], full = [], page = []] = await sampleInTurns([
      { before: touchConfiguration, work: () => get(`/api/search/jobs?${query}`) },
      {
        work: async () => {
          for (const s of statements) await client.query(s);
        },
      },
      { work: () => client.query(bare) },
    ]);
    const p95 = (t: number[]) => percentile(t, 95);
    rows.push({
      view: name,
      "api p50": percentile(api, 50),
      "api p95": p95(api),
      "full SQL p50": percentile(full, 50),
      "full SQL p95": p95(full),
      stmts: statements.length,
      "bare page p95": p95(page),
      "api ÷ full": p95(api) / p95(full),
      "api ÷ bare": p95(api) / p95(page),
    });
  }
  const load = os.loadavg().map((l) => l.toFixed(1)).join(" ");
  console.log(`\nSearch at ${jobs.toLocaleString("en")} jobs (${(jobs * 2 + 100_000).toLocaleString("en")} events), seeded in ${seeded.seedSeconds.toFixed(1)} s — ${machine("PostgreSQL 127.0.0.1")}, load ${load}`);
  table("ms; target: api p95 ≤ 25 ms and ≤ 2× the full SQL (api ÷ full, p95)", rows);

  // GET /search/grouped-jobs as the Components page (latest job of every configuration) and a
  // configuration's run history (its last 30) ask for it, beside the page's SQL replayed with pg.
  const grouped: [string, string][] = [
    ["latest per configuration", "jobsPerGroup=1&limit=500"],
    ["one configuration's last 30", "componentId=jobdeck.generator&configId=103&jobsPerGroup=30&limit=1"],
  ];
  const groupedRows = [];
  for (const [name, query] of grouped) {
    const sql = searchGroupedJobsQuery(projectId, searchGroupedJobsSchema.parse(queryObject(new URLSearchParams(query))));
    const [api = [], full = []] = await sampleInTurns([
      { before: touchConfiguration, work: () => get(`/api/search/grouped-jobs?${query}`) },
      { work: () => client.query({ text: sql.text, values: sql.values as unknown[] }) },
    ]);
    groupedRows.push({ view: name, "api p50": percentile(api, 50), "api p95": percentile(api, 95), "page SQL p50": percentile(full, 50), "page SQL p95": percentile(full, 95) });
  }
  table(`GET /search/grouped-jobs at ${jobs.toLocaleString("en")} jobs, ms`, groupedRows);

  const [first = []] = await sampleInTurns([{ before: touchConfiguration, work: () => get(`/api/v2/storage/events?runId=${busyRun}&limit=100`) }]);
  const page = await (await fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100`, { headers })).json();
  const nextMax = Number(page.at(-1).id) - 1;
  const [next = []] = await sampleInTurns([{ before: touchConfiguration, work: () => get(`/api/v2/storage/events?runId=${busyRun}&limit=100&maxId=${nextMax}`) }]);
  table("event log of a job with 100,000 events — target ≤ 50 ms each", [
    { page: "first", "p50 ms": percentile(first, 50), "p95 ms": percentile(first, 95) },
    { page: "next (maxId)", "p50 ms": percentile(next, 50), "p95 ms": percentile(next, 95) },
  ]);
} finally {
  await seeded.stop();
}

/**
 * The statements GET /api/search/jobs?<query> sends to PostgreSQL, as the driver receives them:
 * this process runs what the route runs (token lookup, searchJobs) on a Prisma client whose pg
 * pool records every query. The second run is recorded, so anything cached after a first call
 * is left out, as it is for the warmed-up server.
 */
async function recordStatements(query: string): Promise<Statement[]> {
  // The bench's own connection names the seeded database.
  const pool = new pg.Pool({ host: client.host, port: client.port, user: client.user, database: client.database, max: 1 });
  const recorded: Statement[] = [];
  let recording = false;
  pool.on("connect", (pooled) => {
    const send = pooled.query.bind(pooled) as (config: unknown, ...rest: unknown[]) => unknown;
    (pooled as unknown as { query: typeof send }).query = (config, ...rest) => {
      if (recording && config && typeof config === "object") {
        const { text, values } = config as Statement;
        recorded.push({ text, values: values ?? [] });
      }
      return send(config, ...rest);
    };
  });
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  const request = async () => {
    const found = await authenticateCaller({ db, credential: { kind: "token", secret: BENCH_TOKEN }, ...versionQuery(searchJobsVersion(new URLSearchParams(query))) });
    if (!found) throw new Error("the bench token does not authenticate");
    const { auth } = found;
    const input = searchJobsSchema.parse(queryObject(new URLSearchParams(query)));
    await searchJobs({ db, projectId: auth.projectId, input, origin: base });
  };
  try {
    await request();
    recording = true;
    await request();
    return recorded;
  } finally {
    await db.$disconnect();
    await pool.end();
  }
}

/**
 * GET over the keep-alive connection with the headers a browser's fetch() sends; the body is read
 * whole. `Cache-Control: no-cache` (a hard reload's): the server's poll cache passes it to the
 * route, so the figures are the route's, not the cache's.
 */
function get(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: new URL(base).hostname, port: opts.port, path, agent, headers: { ...headers, "accept-encoding": "gzip, deflate, br, zstd", "cache-control": "no-cache" } }, (response) => {
        response.on("data", () => undefined);
        response.on("end", () => (response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode} for ${path}`))));
      })
      .on("error", reject);
  });
}

/** A change in the project (a configuration saved): every list's version moves, so the next page is built, not kept. */
async function touchConfiguration(): Promise<void> {
  await client.query(`UPDATE "Configuration" SET "updatedAt" = clock_timestamp() WHERE pk = (SELECT min(pk) FROM "Configuration" WHERE "projectId" = $1)`, [projectId]);
}

type Sampled = { work: () => Promise<unknown>; before?: () => Promise<unknown> };

/** Times each piece of work `samples` times (60 with --quick), taking turns, after 5 rounds to warm up; sorted. `before` runs untimed. */
async function sampleInTurns(works: Sampled[]): Promise<number[][]> {
  for (let i = 0; i < 5; i++) {
    for (const { work, before } of works) {
      await before?.();
      await work();
    }
  }
  const times = works.map(() => [] as number[]);
  for (let i = 0; i < samples; i++) {
    for (const [k, { work, before }] of works.entries()) {
      await before?.();
      const t = performance.now();
      await work();
      times[k]!.push(performance.now() - t);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b));
}
