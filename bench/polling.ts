// Dashboard polling load at scale, on PostgreSQL: N seeded jobs (bench/seed-jobs.ts), then
// autocannon on loopback playing open dashboards: job detail polls with If-None-Match, list polls.
//   npm run bench:polling -- [--jobs 1000000] [--quick]
import autocannon from "autocannon";
import { machine, options, table } from "./lib";
import { BENCH_TOKEN, startSeededServer } from "./seed-jobs";

const opts = options({ jobs: { default: "1000000" }, port: { default: "3198" } });
const jobs = opts.quick ? Math.min(opts.jobs, 100_000) : opts.jobs;
const headers = { "X-StorageApi-Token": BENCH_TOKEN };

const seeded = await startSeededServer({ jobs, port: opts.port });
const { base, start } = seeded;
try {
  const root = start + 5 * Math.floor(jobs / 10);
  // Polling: a dashboard on a job detail sends its ETag back; list pages poll the newest roots.
  const detail = await fetch(`${base}/api/jobs/${root}`, { headers });
  const etag = detail.headers.get("etag");
  const conditional = { ...headers, ...(etag && { "If-None-Match": etag }) };
  const load = await autocannon({
    url: base,
    connections: 50,
    duration: opts.quick ? 10 : 30,
    requests: [
      { method: "GET", path: `/api/jobs/${root}`, headers: conditional },
      { method: "GET", path: `/api/jobs/${root}`, headers: conditional },
      { method: "GET", path: `/api/jobs/${root}`, headers: conditional },
      { method: "GET", path: `/api/search/jobs?rootOnly=true&limit=50`, headers },
    ],
  });
  console.log(`\nPolling at ${jobs.toLocaleString("en")} jobs — ${machine("PostgreSQL 127.0.0.1")}`);
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
  await seeded.stop();
}
