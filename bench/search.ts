// Search and event-log figures at scale, on PostgreSQL:
//  1. seeds N jobs (roots with children, statuses and times spread over 90 days, events) with
//     set-based SQL into a fresh database (bench/seed-jobs.ts);
//  2. p50/p95 of GET /api/search/jobs for the dashboard's common views, each beside the same query
//     as raw SQL on the same database in the same run;
//  3. the event log of a job with 100,000 events: first page and the next.
//   npm run bench:search -- [--jobs 1000000] [--quick]
import { encodeCursor } from "@/lib/jobs/search-jobs";
import { machine, options, percentile, table } from "./lib";
import { BENCH_TOKEN, startSeededServer } from "./seed-jobs";

const opts = options({ jobs: { default: "1000000" }, port: { default: "3199" }, samples: { default: "60" } });
const jobs = opts.quick ? Math.min(opts.jobs, 100_000) : opts.jobs;
const headers = { "X-StorageApi-Token": BENCH_TOKEN };

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
  const rows = [];
  for (const [name, query, sql] of views) {
    const api = await sample(() => fetch(`${base}/api/search/jobs?${query}`, { headers }).then(ok));
    const raw = await sample(() => client.query(sql));
    rows.push({ view: name, "api p50 ms": percentile(api, 50), "api p95 ms": percentile(api, 95), "raw p50 ms": percentile(raw, 50), "raw p95 ms": percentile(raw, 95), "p95 api ÷ raw": percentile(api, 95) / percentile(raw, 95) });
  }
  console.log(`\nSearch at ${jobs.toLocaleString("en")} jobs (${(jobs * 2 + 100_000).toLocaleString("en")} events), seeded in ${seeded.seedSeconds.toFixed(1)} s — ${machine("PostgreSQL 127.0.0.1")}`);
  table("target: api p95 ≤ 25 ms and ≤ 2× the raw query", rows);

  const first = await sample(() => fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100`, { headers }).then(ok));
  const page = await (await fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100`, { headers })).json();
  const nextMax = Number(page.at(-1).id) - 1;
  const next = await sample(() => fetch(`${base}/api/v2/storage/events?runId=${busyRun}&limit=100&maxId=${nextMax}`, { headers }).then(ok));
  table("event log of a job with 100,000 events — target ≤ 50 ms each", [
    { page: "first", "p50 ms": percentile(first, 50), "p95 ms": percentile(first, 95) },
    { page: "next (maxId)", "p50 ms": percentile(next, 50), "p95 ms": percentile(next, 95) },
  ]);
} finally {
  await seeded.stop();
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
