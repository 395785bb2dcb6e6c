// Dashboard polling load at scale, on PostgreSQL: N seeded jobs (bench/seed-jobs.ts) plus live
// orchestrations that keep dashboards polling fast, then on loopback:
//  1. open dashboards (bench/dashboards.ts) polling what their pages poll at the dashboard's own
//     intervals, with If-None-Match where a browser sends it: a mix of job pages on live and on
//     finished jobs and jobs lists, and a run where every dashboard watches something live;
//  2. saturation: autocannon, closed loop, the same requests as fast as the server answers.
// While they run, a few live jobs change every second (a new event and an updated row each).
//   npm run bench:polling -- [--jobs 1000000] [--dashboards 1000] [--seconds 60] [--changes 2] [--quick] [--port 3198]
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import type pg from "pg";
import { DEFAULT_JOBS_FILTERS } from "@/lib/schemas/filters";
import { type DashboardSpec, type PlayResult, playDashboards } from "./dashboards";
import { machine, options, percentile, processCpuMs, table } from "./lib";
import { afterSeededJobs, BENCH_TOKEN, startSeededServer } from "./seed-jobs";

const opts = options({
  jobs: { default: "1000000" },
  port: { default: "3198" },
  dashboards: { default: "1000" },
  seconds: { default: "60" },
  changes: { default: "2" },
  live: { default: "100" },
  // --profile 1: a CPU profile of the server during the first run, in /tmp/jobdeck-polling-prof.
  profile: { default: "0" },
});
const jobs = opts.quick ? Math.min(opts.jobs, 100_000) : opts.jobs;
const seconds = opts.quick ? Math.min(opts.seconds, 10) : opts.seconds;
// Dashboards open one by one over the ramp (a page load each: the job, its children, its log;
// or a list with its counts); the figures are taken after it, in the steady state.
const rampSeconds = opts.quick ? 10 : 30;
const host = "127.0.0.1";

const profileDir = "/tmp/jobdeck-polling-prof";
const profileEnv = { NODE_OPTIONS: `--import ${path.resolve(import.meta.dirname, "cpu-profile.mjs")}`, JOBDECK_CPU_PROFILE_DIR: profileDir };
if (opts.profile) mkdirSync(profileDir, { recursive: true });
const seeded = await startSeededServer({ jobs, port: opts.port, env: opts.profile ? profileEnv : {} });
const { client, projectId, start } = seeded;
let stopChanges = () => undefined as void;
try {
  const live = await seedLiveOrchestrations(client, projectId, opts.live);
  const cookies = await openSessions(client, projectId, opts.dashboards);
  // Finished orchestrations (root + 4 children) from across the seeded history.
  const finishedRoots = Array.from({ length: 200 }, (_, i) => start + 5 * Math.floor(((i + 0.5) / 200) * (jobs / 5)));
  const pick = <T>(items: readonly T[], i: number) => items[i % items.length]!;
  const jobPage = (id: number | string): DashboardSpec => ({ page: "job", jobId: String(id), runId: runIdOf(String(id), live) });
  const errorTab = { ...DEFAULT_JOBS_FILTERS, status: ["error" as const] };

  // Who has which page open: the mix, per 20 dashboards.
  const mixed: DashboardSpec[] = Array.from({ length: opts.dashboards }, (_, i) => {
    const slot = i % 20;
    if (slot < 6) return jobPage(pick(live.roots, i)); // a running orchestration: job, children, log
    if (slot < 8) return jobPage(pick(live.children, i)); // one of its running tasks: job, log
    if (slot < 13) return jobPage(pick(finishedRoots, i)); // a finished orchestration
    if (slot < 19) return { page: "jobs", filters: DEFAULT_JOBS_FILTERS }; // the Jobs page
    return { page: "jobs", filters: errorTab }; // the Jobs page, "failed" tab
  });
  const allLive: DashboardSpec[] = Array.from({ length: opts.dashboards }, (_, i) => jobPage(pick(live.roots, i)));

  stopChanges = changeLiveJobs(client, projectId, live.children, opts.changes);
  const runs: [string, DashboardSpec[]][] = [
    [`mixed: 30% running orchestration, 10% running task, 25% finished orchestration, 30% Jobs page, 5% failed tab`, mixed],
    [`every dashboard on a running orchestration (job, children, log every 2 s)`, allLive],
  ];
  const rows = [];
  const byKind: ReturnType<typeof kindRows> = [];
  for (const [i, [name, specs]] of runs.entries()) {
    const profiled = opts.profile && i === 0;
    const meter = cpuMeter(opts.port, client);
    const measuring = setTimeout(() => {
      void meter.start();
      if (profiled) writeFileSync(path.join(profileDir, "on"), "");
    }, rampSeconds * 1000);
    const result = await playDashboards({ host, port: opts.port, specs, cookies, rampSeconds, seconds });
    const cpu = await meter.stop();
    clearTimeout(measuring);
    if (profiled) {
      rmSync(path.join(profileDir, "on"), { force: true });
      console.error(`  CPU profile of the server: ${profileDir}/server-*.cpuprofile`);
    }
    rows.push({ dashboards: `${specs.length} ${name}`, ...summary(result), ...cpuPerRequest(cpu, result.samples.length), load: loadAverage() });
    byKind.push(...kindRows(specs.length, result));
    if (process.env.DUMP_SAMPLES) writeFileSync(`${process.env.DUMP_SAMPLES}-${i}.json`, JSON.stringify(result.samples));
    console.error(`  ${name}: done`);
    await waitUntilQuiet(`http://${host}:${opts.port}`);
  }
  stopChanges();

  // Saturation: the same kinds of request, closed loop. ETags as a browser would hold them.
  const root = String(live.roots[0]);
  const task = String(live.children[0]);
  const finished = String(finishedRoots[0]);
  const cookie = cookies[0]!;
  const paths = [
    `/api/jobs/${root}`,
    `/api/search/jobs?parentRunId=${root}&sortBy=id&sortOrder=asc&limit=100`,
    `/api/v2/storage/events?runId=${root}&includeChildren=true&sinceId=${await newestEventId(client, projectId)}&limit=100`,
    `/api/jobs/${task}`,
    `/api/jobs/${finished}`,
    `/api/search/jobs?rootOnly=true&sortBy=id&sortOrder=desc&limit=50`,
    `/api/search/jobs/counts?rootOnly=true`,
  ];
  const requests = [];
  for (const path of paths) {
    const response = await fetch(`http://${host}:${opts.port}${path}`, { headers: { cookie, "accept-encoding": "gzip, deflate, br" } });
    await response.arrayBuffer();
    const etag = response.headers.get("etag");
    const keep = etag && !(response.headers.get("cache-control") ?? "").includes("no-store");
    requests.push({ method: "GET" as const, path, headers: { cookie, accept: "application/json", "accept-encoding": "gzip, deflate, br", ...(keep && { "if-none-match": etag }) } });
  }
  const saturation = [];
  for (const connections of [8, 32]) {
    const meter = cpuMeter(opts.port, client);
    await meter.start();
    const load = await autocannon({ url: `http://${host}:${opts.port}`, connections, duration: opts.quick ? 5 : 20, requests });
    const cpu = await meter.stop();
    saturation.push(saturationRow(connections, load, cpu));
  }

  // The figures this benchmark gave before it played dashboards: 50 connections, a token, 3 job
  // polls with If-None-Match to 1 list poll, kept for comparison.
  {
    const tokenHeaders = { "X-StorageApi-Token": BENCH_TOKEN };
    const detail = await fetch(`http://${host}:${opts.port}/api/jobs/${finished}`, { headers: tokenHeaders });
    await detail.arrayBuffer();
    const etag = detail.headers.get("etag");
    const conditional = { ...tokenHeaders, ...(etag && { "If-None-Match": etag }) };
    const meter = cpuMeter(opts.port, client);
    await meter.start();
    const load = await autocannon({
      url: `http://${host}:${opts.port}`,
      connections: 50,
      duration: opts.quick ? 10 : 20,
      requests: [
        ...Array.from({ length: 3 }, () => ({ method: "GET" as const, path: `/api/jobs/${finished}`, headers: conditional })),
        { method: "GET" as const, path: "/api/search/jobs?rootOnly=true&limit=50", headers: tokenHeaders },
      ],
    });
    const cpu = await meter.stop();
    saturation.push(saturationRow("50, old mix", load, cpu));
  }

  console.log(`\nPolling at ${jobs.toLocaleString("en")} jobs + ${live.roots.length} running orchestrations — ${machine("PostgreSQL 127.0.0.1")}`);
  table(`open dashboards, ${seconds} s after a ${rampSeconds} s ramp, ${opts.changes} live jobs changing per second — target ≥ 1,500 req/s at p99 ≤ 50 ms`, rows);
  table("each kind of poll in those runs (poll cache: answered 304 by the HTTP server itself, without Next.js or the database)", byKind);
  table("saturation: autocannon, closed loop over job (running, task, finished), children, events, list, counts (session cookie); last row: the earlier bench's mix — max req/s", saturation);
} finally {
  stopChanges();
  await seeded.stop();
}

/** Each kind of poll on its own: how many, how many the server's poll cache answered, latency. */
function kindRows(dashboards: number, result: PlayResult) {
  const kinds = [...new Set(result.samples.map((s) => s.kind))].sort();
  return kinds.map((kind) => {
    const samples = result.samples.filter((s) => s.kind === kind);
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    return {
      dashboards,
      kind,
      "req/s": samples.length / result.seconds,
      "304 share": samples.filter((s) => s.status === 304).length / samples.length,
      "poll cache share": samples.filter((s) => s.cached).length / samples.length,
      "p50 ms": percentile(ms, 50),
      "p99 ms": percentile(ms, 99),
    };
  });
}

function summary(result: PlayResult) {
  const ms = result.samples.map((s) => s.ms).sort((a, b) => a - b);
  const by = (status: number) => result.samples.filter((s) => s.status === status).length;
  const kinds = new Map<string, number>();
  for (const s of result.samples) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
  return {
    "offered req/s": result.offered / result.seconds,
    "req/s": result.samples.length / result.seconds,
    "p50 ms": percentile(ms, 50),
    "p99 ms": percentile(ms, 99),
    "304 share": by(304) / Math.max(1, result.samples.length),
    skipped: result.skipped,
    "non-2xx/304": result.samples.filter((s) => s.status !== 200 && s.status !== 304).length,
    errors: result.errors,
    mix: [...kinds].map(([k, n]) => `${k} ${Math.round((100 * n) / Math.max(1, result.samples.length))}%`).join(", "),
  };
}

type Cpu = { serverMs: number; dbMs: number; benchMs: number };

/**
 * CPU time spent meanwhile by the server process, the database's backends for the bench database
 * and this load generator: on a shared machine, throughput follows whoever else runs, while the
 * CPU cost of a request is what the server's capacity on an idle machine follows.
 */
function cpuMeter(port: number, db: pg.Client) {
  const ticks = processCpuMs;
  const server = () => Number(/pid=(\d+)/.exec(execFileSync("ss", ["-ltnpH", `sport = :${port}`]).toString())?.[1] ?? 0);
  const backends = async () => (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)).rows.map((r) => r.pid);
  let before: { server: number; db: Map<number, number>; bench: NodeJS.CpuUsage } | null = null;
  return {
    async start() {
      before = { server: ticks(server()), db: new Map((await backends()).map((pid) => [pid, ticks(pid)])), bench: process.cpuUsage() };
    },
    async stop(): Promise<Cpu> {
      if (!before) return { serverMs: NaN, dbMs: NaN, benchMs: NaN };
      const bench = process.cpuUsage(before.bench);
      let dbMs = 0;
      for (const pid of await backends()) dbMs += ticks(pid) - (before.db.get(pid) ?? 0);
      return { serverMs: ticks(server()) - before.server, dbMs, benchMs: (bench.user + bench.system) / 1000 };
    },
  };
}

/** CPU ms per answered request, and what two idle cores would then answer per second. */
function cpuPerRequest(cpu: Cpu, requests: number) {
  const per = (ms: number) => ms / Math.max(1, requests);
  const server = per(cpu.serverMs);
  const db = per(cpu.dbMs);
  return {
    "server cpu ms/req": server,
    "db cpu ms/req": db,
    "bench cpu ms/req": per(cpu.benchMs),
    // The server's JavaScript runs on one thread: at most 1,000 ms of it per second.
    "idle 2-core capacity req/s": Math.min(1000 / server, 2000 / (server + db)),
  };
}

/** Requests a run left queued would slow the next one: wait until the server answers at once again. */
async function waitUntilQuiet(base: string) {
  for (let i = 0; i < 120; i++) {
    const t = performance.now();
    await fetch(`${base}/api/health`).then((r) => r.arrayBuffer()).catch(() => undefined);
    if (performance.now() - t < 20) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(1)).join(" ");
}

function runIdOf(id: string, live: { runIds: Map<string, string> }): string {
  return live.runIds.get(id) ?? id;
}

/**
 * `count` running orchestrations, newest of all, each with 4 tasks (processing, processing,
 * created, waiting on a phase) and a few events: nothing in them is final, so whoever watches
 * them (or the list they top) polls fast. No worker runs, so they stay running.
 */
async function seedLiveOrchestrations(db: pg.Client, project: number, count: number) {
  const [{ s: first, token }] = (await db.query(`SELECT coalesce(max(id), 0) + 1000 AS s, (SELECT min(id) FROM "Token" WHERE "projectId" = $1) AS token FROM "Job"`, [project])).rows;
  const from = Number(first);
  await db.query(
    `INSERT INTO "Job" (id, "projectId", "tokenId", "runId", "parentRunId", "rootRunId", status, "waitReason", mode, type, component, config,
       "branchId", "createdTime", "startTime", "updatedAt")
     SELECT id, $2, $3,
       CASE WHEN k = 0 THEN id::text ELSE (id - k)::text || '.' || id END,
       CASE WHEN k = 0 THEN NULL ELSE (id - k)::text END,
       (id - k)::text,
       (ARRAY['processing','processing','processing','created','waiting'])[1 + k],
       CASE WHEN k = 4 THEN 'phase' END,
       'run', CASE WHEN k = 0 THEN 'orchestrationContainer' ELSE 'standard' END,
       CASE WHEN k = 0 THEN 'keboola.orchestrator' ELSE (ARRAY['keboola.ex-http','jobdeck.sql-transformation','jobdeck.generator','jobdeck.wr-files'])[k] END,
       (100 + (id % 20))::text, 'default', now() - interval '10 minutes', CASE WHEN k < 3 THEN now() - interval '9 minutes' END, now()
     FROM (SELECT g + $1 - 1 AS id, (g - 1) % 5 AS k FROM generate_series(1, $4::int) g) s`,
    [from, project, token, count * 5],
  );
  await afterSeededJobs(db, from, ["job.created", "job.started"]);
  await db.query(`ANALYZE "Job"`);
  const roots: number[] = [];
  const children: number[] = [];
  const runIds = new Map<string, string>();
  for (let i = 0; i < count * 5; i++) {
    const id = from + i;
    const k = i % 5;
    if (k === 0) roots.push(id);
    else if (k < 3) children.push(id);
    runIds.set(String(id), k === 0 ? String(id) : `${id - k}.${id}`);
  }
  return { roots, children, runIds };
}

/** One dashboard session per open dashboard, as a browser signed in with the project's token gets. */
async function openSessions(db: pg.Client, project: number, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `bench-session-${i}-${Date.now()}`);
  await db.query(
    `INSERT INTO "Session" ("idHash", "tokenId", "expiresAt")
     SELECT h, (SELECT min(id) FROM "Token" WHERE "projectId" = $1), now() + interval '1 day' FROM unnest($2::text[]) h`,
    [project, ids.map((id) => createHash("sha256").update(id).digest("hex"))],
  );
  return ids.map((id) => `jobdeck_session=${id}`);
}

async function newestEventId(db: pg.Client, project: number): Promise<string> {
  return String((await db.query(`SELECT max(id) AS id FROM "JobEvent" WHERE "projectId" = $1`, [project])).rows[0].id);
}

/** What running jobs do meanwhile: `perSecond` of them log an event and have their row updated. */
function changeLiveJobs(db: pg.Client, project: number, ids: number[], perSecond: number): () => void {
  if (perSecond <= 0 || ids.length === 0) return () => undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const picked = Array.from({ length: perSecond }, () => ids[Math.floor(Math.random() * ids.length)]!);
    void db
      .query(
        `WITH touched AS (UPDATE "Job" SET "updatedAt" = now(), "usageData" = jsonb_build_object('progress', extract(epoch FROM now()))
                          WHERE id = ANY($1::bigint[]) AND "projectId" = $2 RETURNING id, "runId", component)
         INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type)
         SELECT $2, id, "runId", 'job.log', component, 'progress', 'info' FROM touched`,
        [picked, project],
      )
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1000);
  return () => clearInterval(timer);
}

/** One row of the closed-loop (autocannon) table. */
function saturationRow(connections: number | string, load: autocannon.Result, cpu: Cpu) {
  const notModified = load.statusCodeStats?.["304"]?.count ?? 0;
  return {
    connections,
    "req/s": load.requests.average,
    "p50 ms": load.latency.p50,
    "p99 ms": load.latency.p99,
    "304 share": notModified / Math.max(1, load.requests.total),
    "other non-2xx": load.non2xx - notModified,
    errors: load.errors,
    ...cpuPerRequest(cpu, load.requests.total),
    load: loadAverage(),
  };
}
