// PostgreSQL restarted (a fast shutdown, then a crash-like immediate one) while worker processes
// and the API server (`npm start`, with its own in-process workers) are busy and a client keeps
// creating jobs and reading events over HTTP. The cluster is the test's own, never the shared one.
// Afterwards everything must have reconnected by itself, nothing committed may be lost, and no job
// may be left in a status its events contradict.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { KILL_CHANNEL, onKill, relayNotifications } from "@/lib/jobs/kill-signal";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import { recordFigure } from "@/test/faults/figures";
import { type OwnCluster, startOwnCluster } from "@/test/faults/own-postgres";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker } from "@/test/worker-processes";

const PART = "database restart";
const PG_PORT = 3450;
const API_PORT = 3451;
const CSV_PORT = 3452;
const TOKEN = "faults-db-restart-token-0123456789";
const LEASE_SECONDS = 4;
const OUTAGE_MS = 3_000;
// A request that takes longer than this during an outage counts as hung.
const REQUEST_TIMEOUT_MS = 30_000;
const ROWS = 50;
// The client's jobs carry this tag: the seeded demo (and the children its orchestrations spawn) is not ours to judge.
const TAG = "db-restart";

let cluster: OwnCluster | null = null;
let server: ChildProcess | null = null;
let csv: http.Server | null = null;
const workers: WorkerProcess[] = [];
const dataDir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-db-restart-"));
const serverLog = path.join(dataDir, "server.log");

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stopProcess(child: ChildProcess, group: boolean, graceMs: number) {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  const signal = (s: NodeJS.Signals) => {
    try {
      if (group) process.kill(-child.pid!, s);
      else child.kill(s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), graceMs))])) return;
  signal("SIGKILL");
  await exited;
}

afterAll(async () => {
  try {
    await Promise.all([...workers.map((w) => stopProcess(w.child, false, 30_000)), ...(server ? [stopProcess(server, true, 30_000)] : [])]);
    csv?.close();
  } finally {
    cluster?.remove();
  }
}, 120_000);

type Answer = { at: number; method: string; url: string; status: number; body: unknown; ms: number; hung?: boolean };

async function call(method: string, url: string, body?: unknown): Promise<Answer> {
  const at = Date.now();
  try {
    const response = await fetch(`http://127.0.0.1:${API_PORT}${url}`, {
      method,
      headers: { "X-StorageApi-Token": TOKEN, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text: a non-JSON error body is itself a finding
    }
    return { at, method, url, status: response.status, body: parsed, ms: Date.now() - at };
  } catch (error) {
    const hung = error instanceof Error && error.name === "TimeoutError";
    return { at, method, url, status: 0, body: String(error), ms: Date.now() - at, hung };
  }
}

/** A fresh connection per question: the test's own view must not depend on reconnect logic. */
async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster!.url("jobdeck") });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("PostgreSQL restarted under load", () => {
  it("workers and the API reconnect by themselves, and no job, event or Storage row is lost or contradicted", async () => {
    cluster = await startOwnCluster(PG_PORT);
    const url = cluster.url("jobdeck");
    const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
    expect(migrate.status, migrate.stderr).toBe(0);

    // CSVs for the extractor jobs, which write Storage tables.
    csv = http.createServer((req, res) => {
      const n = /^\/data\/(\d+)\.csv$/.exec(req.url ?? "")?.[1];
      if (!n) return void res.writeHead(404).end();
      let text = "id,job\n";
      for (let r = 1; r <= ROWS; r++) text += `${r},${n}\n`;
      res.writeHead(200, { "Content-Type": "text/csv" }).end(text);
    });
    await new Promise<void>((r) => csv!.listen(CSV_PORT, "127.0.0.1", r));

    const env = { DATABASE_URL: url, JOBDECK_DATA_DIR: dataDir, JOBDECK_LEASE_SECONDS: String(LEASE_SECONDS), JOBDECK_MAX_ATTEMPTS: "10" };
    // `npm start`: migrate, seed the demo project with our token, build if needed, serve; its own
    // process group, so that stopping it stops the Next.js server too.
    const log = openSync(serverLog, "a");
    server = spawn("npm", ["start"], {
      env: { ...process.env, ...env, PORT: String(API_PORT), JOBDECK_DEMO_TOKEN: TOKEN, JOBDECK_DEMO_ACTIVITY: "0", JOBDECK_IN_PROCESS_WORKERS: "2" },
      stdio: ["ignore", log, log],
      detached: true,
    });
    await waitFor("the API server to answer", async () => (await call("GET", "/api/health")).status === 200, 900_000);
    for (let i = 0; i < 2; i++) workers.push(spawnWorker(url, { ...env, WORKER_CONCURRENCY: "4" }));

    // The client: creates jobs (generators and extractors that write tables) and reads them back.
    const answers: Answer[] = [];
    const created = new Map<string, { at: number; runId: string }>();
    let n = 0;
    let clientRunning = true;
    const client = (async () => {
      while (clientRunning) {
        n += 1;
        const body =
          n % 2 === 0
            ? { component: "keboola.ex-http", configData: { url: `http://127.0.0.1:${CSV_PORT}/data/${n}.csv`, table: `in.c-restart.t${n}` }, mode: "run", tag: TAG }
            : { component: "jobdeck.generator", configData: { durationSeconds: 1 + (n % 3), rows: n }, mode: "run", tag: TAG };
        const answer = await call("POST", "/api/jobs", body);
        answers.push(answer);
        if (answer.status === 201) {
          const job = answer.body as { id: string; runId: string };
          created.set(job.id, { at: answer.at, runId: job.runId });
        }
        const known = [...created.values()];
        const pick = known[Math.floor(Math.random() * known.length)];
        if (pick) answers.push(await call("GET", `/api/v2/storage/events?runId=${pick.runId}`));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    // What was committed before each outage, read straight from the database.
    type Snapshot = { events: Set<string>; jobs: Set<string>; tables: Map<string, number> };
    const snapshot = async (): Promise<Snapshot> => {
      const events = await query<{ id: string }>(`SELECT id::text FROM "JobEvent"`);
      const jobs = await query<{ id: string }>(`SELECT id::text FROM "Job" WHERE tag = $1`, [TAG]);
      const tables = await query<{ tableId: string; sqlName: string }>(`SELECT "tableId", "sqlName" FROM "StorageTable" WHERE starts_with("tableId", 'in.c-restart.')`);
      const rows = new Map<string, number>();
      for (const t of tables) rows.set(t.tableId, Number((await query<{ n: string }>(`SELECT count(*) AS n FROM storage."${t.sqlName}"`))[0]!.n));
      return { events: new Set(events.map((e) => e.id)), jobs: new Set(jobs.map((j) => j.id)), tables: rows };
    };
    const outages: { from: number; to: number; mode: string }[] = [];
    const snapshots: Snapshot[] = [];
    const runFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

    // The LISTEN connection every worker and the API hold (kills and new work across processes).
    const heard: string[] = [];
    const offKill = onKill((ids) => heard.push(...ids));
    const stopRelay = relayNotifications({ target: { kind: "postgresql", url } });

    let restartedAt = 0;
    try {
      await waitFor("a few tables and running jobs", async () => (await query(`SELECT 1 FROM "StorageTable" WHERE starts_with("tableId", 'in.c-restart.')`)).length >= 3, 120_000);
      for (const mode of ["fast", "immediate"] as const) {
        await runFor(3_000);
        snapshots.push(await snapshot());
        const from = Date.now();
        cluster.stop(mode);
        await runFor(OUTAGE_MS);
        cluster.start();
        restartedAt = Date.now();
        outages.push({ from, to: restartedAt, mode });
      }
      // After the last restart: requests succeed again and new jobs run.
      await waitFor("the API to answer again", async () => (await call("GET", "/api/health")).status === 200, 60_000);
      const createdBefore = created.size;
      await waitFor("new jobs to be created", async () => created.size >= createdBefore + 10, 120_000);
      await waitFor("requests well after the restart", async () => answers.filter((a) => a.at > restartedAt + 5_000).length >= 20, 120_000);
      // A NOTIFY sent after the restart reaches the relay: it reconnected and listens again.
      const marker = String(Date.now());
      await waitFor("a kill notification after the restart", async () => {
        await query(`SELECT pg_notify($1, $2)`, [KILL_CHANNEL, marker]);
        await new Promise((r) => setTimeout(r, 250));
        return heard.includes(marker);
      }, 60_000);
    } finally {
      clientRunning = false;
      await client;
      offKill();
      await stopRelay();
    }

    const unfinishedNow = () => query<{ id: string; status: string; attempt: number }>(`SELECT id::text, status, attempt FROM "Job" WHERE tag = $1 AND NOT (status = ANY($2::text[]))`, [TAG, FINAL_STATUSES]);
    await waitFor("every job to end", async () => (await unfinishedNow()).length === 0, 240_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await unfinishedNow())}`);
    });
    await waitFor("every Storage job to end", async () => (await query(`SELECT 1 FROM "StorageJob" WHERE status NOT IN ('success', 'error')`)).length === 0, 120_000);

    // The processes that were running all along are still the same processes.
    expect(workers.filter((w) => w.child.exitCode !== null || w.child.signalCode !== null).map((w) => w.output().slice(-2000))).toEqual([]);
    expect(server.exitCode).toBeNull();
    // Every worker renewed its registration after the last restart: each reconnected by itself.
    const registered = await query<{ id: string; heartbeatAt: Date }>(`SELECT id, "heartbeatAt" FROM "Worker"`);
    const workerIds = new Set(registered.filter((w) => w.heartbeatAt.getTime() > restartedAt).map((w) => w.id));
    for (const w of workers) expect([...workerIds].some((id) => id.includes(`-${w.child.pid}-`)), `worker ${w.child.pid} heartbeats after the restart`).toBe(true);
    expect(workerIds.size).toBeGreaterThanOrEqual(workers.length + 1);

    // No job lost: every 201 exists and ended; the ones created after the last restart succeeded.
    const jobs = await query<{ id: string; status: string; runId: string; startTime: Date | null; createdTime: Date; result: unknown }>(
      `SELECT id::text, status, "runId", "startTime", "createdTime", result FROM "Job" WHERE tag = $1`,
      [TAG],
    );
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const lost = [...created.keys()].filter((id) => !byId.has(id));
    const unfinished = jobs.filter((j) => !(FINAL_STATUSES as readonly string[]).includes(j.status));
    const later = [...created.entries()].filter(([, c]) => c.at > restartedAt + 1_000).map(([id]) => byId.get(id));
    const laterFailed = later.filter((j) => j?.status !== "success").map((j) => `${j?.id} ${j?.status} ${JSON.stringify(j?.result)}`);

    // No event, job or Storage row committed before an outage is gone.
    const events = await query<{ id: string; jobId: string | null; event: string; message: string; results: { status?: string } }>(
      `SELECT id::text, "jobId"::text, event, message, results FROM "JobEvent" ORDER BY id`,
    );
    const eventIds = new Set(events.map((e) => e.id));
    const tablesAfter = await query<{ tableId: string; sqlName: string }>(`SELECT "tableId", "sqlName" FROM "StorageTable" WHERE starts_with("tableId", 'in.c-restart.')`);
    let eventsLost = 0;
    let jobsLostFromSnapshots = 0;
    const rowsLost: string[] = [];
    for (const s of snapshots) {
      for (const id of s.events) if (!eventIds.has(id)) eventsLost += 1;
      for (const id of s.jobs) if (!byId.has(id)) jobsLostFromSnapshots += 1;
      for (const [tableId, count] of s.tables) {
        const t = tablesAfter.find((x) => x.tableId === tableId);
        const now = t ? Number((await query<{ n: string }>(`SELECT count(*) AS n FROM storage."${t.sqlName}"`))[0]!.n) : -1;
        if (now !== count) rowsLost.push(`${tableId}: ${count} rows before, ${now} after`);
      }
    }

    // No status its events contradict: one job.created each; a job that started has a job.started;
    // a final job that ran has a last job.finished naming its status; a cancelled one never started.
    const contradictions: string[] = [];
    const eventsOf = new Map<string, typeof events>();
    for (const e of events) if (e.jobId) eventsOf.set(e.jobId, [...(eventsOf.get(e.jobId) ?? []), e]);
    for (const job of jobs) {
      const mine = eventsOf.get(job.id) ?? [];
      const createdEvents = mine.filter((e) => e.event === "job.created").length;
      if (createdEvents !== 1) contradictions.push(`job ${job.id} has ${createdEvents} job.created events`);
      const finished = mine.filter((e) => e.event === "job.finished");
      const last = finished.at(-1);
      if (job.status === "cancelled") continue;
      if (!mine.some((e) => e.event === "job.started")) contradictions.push(`job ${job.id} is ${job.status} without a job.started event`);
      if (!last || !(last.results.status ? last.results.status === job.status : last.message.includes(job.status))) {
        contradictions.push(`job ${job.id} is ${job.status}, its last job.finished says ${last ? last.results.status ?? last.message : "nothing"}`);
      }
      // A success after a requeue is fine; a success after another success is a job that ran twice.
      if (finished.filter((e) => e.results.status === "success").length > 1) contradictions.push(`job ${job.id} finished with success twice`);
    }

    // Requests during an outage fail fast with a JSON 5xx; none hangs; later ones succeed again.
    const failed = answers.filter((a) => a.status < 200 || a.status >= 300);
    const badFailures = failed.filter((a) => {
      const body = a.body as { error?: unknown; code?: unknown; status?: unknown };
      return a.status < 500 || typeof body !== "object" || typeof body.error !== "string" || typeof body.code !== "string" || body.status !== a.status;
    });
    const hung = answers.filter((a) => a.hung);
    const tail = answers.filter((a) => a.at > restartedAt + 5_000);
    const duringOutage = failed.filter((a) => outages.some((o) => a.at >= o.from - 1_000 && a.at <= o.to + 5_000)).length;

    recordFigure(PART, "restarts (fast, immediate)", outages.length);
    recordFigure(PART, "outage per restart (ms)", OUTAGE_MS);
    recordFigure(PART, "jobs created (201)", created.size);
    recordFigure(PART, "jobs committed though the answer was lost", jobs.length - created.size);
    recordFigure(PART, "requests", answers.length);
    recordFigure(PART, "requests failed (JSON 503) around the outages", `${duringOutage} of ${failed.length} failed`);
    recordFigure(PART, "failed requests not JSON 5xx", badFailures.length);
    recordFigure(PART, "requests hung", hung.length);
    recordFigure(PART, "jobs lost", lost.length + jobsLostFromSnapshots);
    recordFigure(PART, "events lost", eventsLost);
    recordFigure(PART, "Storage rows lost (tables)", rowsLost.length);
    recordFigure(PART, "contradictions", contradictions.length);

    expect(outages.length).toBe(2);
    expect(failed.length).toBeGreaterThan(0);
    expect(badFailures.map((a) => `${a.method} ${a.url} → ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`)).toEqual([]);
    expect(hung.map((a) => `${a.method} ${a.url}`)).toEqual([]);
    expect(lost).toEqual([]);
    expect(jobsLostFromSnapshots).toBe(0);
    expect(unfinished.map((j) => `${j.id} ${j.status}`)).toEqual([]);
    expect(later.length).toBeGreaterThanOrEqual(5);
    expect(laterFailed).toEqual([]);
    expect(eventsLost).toBe(0);
    expect(snapshots.every((s) => s.tables.size >= 3)).toBe(true);
    expect(rowsLost).toEqual([]);
    expect(contradictions).toEqual([]);
    expect(tail.length).toBeGreaterThanOrEqual(20);
    expect(tail.filter((a) => a.status >= 300).map((a) => `${a.method} ${a.url} → ${a.status}`)).toEqual([]);
  }, 1_500_000);
});
