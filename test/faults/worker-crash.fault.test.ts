// Worker processes SIGKILLed mid-job 50 times while they download CSVs into Storage. Every job
// must end (its reruns included), no job may sit on an expired lease for longer than recovery
// takes, and a rerun must not leave a second table, duplicate rows or a second file behind.
import { readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import { storageTableRef } from "@/lib/storage/identifiers";
import { recordFigure } from "@/test/faults/figures";
import { sweepOrphanFiles } from "@/lib/storage/files/sweep-orphan-files";
import { createTestProject } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const PART = "worker crash";
const KILLS = 50;
const PROCESSES = 3;
const LEASE_SECONDS = 4;
// How long after its lease ran out a job may still be `processing`: every live worker looks for
// lost jobs every 2 s; the rest is slack for a loaded machine.
const GRACE_SECONDS = 15;
// Each CSV trickles out over ~0.6 s, so kills land during downloads, staging and imports.
const ROWS = 120;
const PACE_MS = 5_000;
const CHUNKS = 3;
const PORT = 3411;

const workers: WorkerProcess[] = [];
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const match = /^\/data\/(\d+)\.csv$/.exec(req.url ?? "");
    if (!match) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "text/csv" });
    res.write("id,job,value\n");
    let chunk = 0;
    const timer = setInterval(() => {
      const from = (chunk * ROWS) / CHUNKS;
      let text = "";
      for (let r = from; r < from + ROWS / CHUNKS; r++) text += `${r + 1},${match[1]},v${r}\n`;
      res.write(text);
      if (++chunk === CHUNKS) {
        clearInterval(timer);
        res.end();
      }
    }, 200);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(PORT, "127.0.0.1", r));
});
afterAll(async () => {
  await stopWorkers(workers);
  await new Promise((r) => server.close(r));
});

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

describe("worker processes SIGKILLed mid-job, 50 times", () => {
  it("lose nothing: every job ends once, no lease stays expired, reruns leave no duplicate tables, rows or files", async () => {
    const { project, auth } = await createTestProject();
    await db().project.update({ where: { id: project.id }, data: { maxProcessingJobs: 100 } });
    const url = inject("databaseUrl");
    const workerEnv = { JOBDECK_LEASE_SECONDS: String(LEASE_SECONDS), JOBDECK_MAX_ATTEMPTS: "50", WORKER_CONCURRENCY: "4" };
    for (let i = 0; i < PROCESSES; i++) workers.push(spawnWorker(url, workerEnv));

    const ids: bigint[] = [];
    const tableOf = new Map<bigint, string>();
    const unfinished = () => db().job.count({ where: { projectId: project.id, status: { notIn: [...FINAL_STATUSES] } } });
    // Keeps enough work queued that every worker stays busy until the last kill.
    const feed = async () => {
      const missing = PROCESSES * 4 * 2 - (await unfinished());
      for (let i = 0; i < missing; i++) {
        const n = ids.length;
        // Two in three jobs download a CSV into a table of their own; the others only take time.
        const table = `in.c-crash.t${n}`;
        const input = n % 3 === 2
          ? { component: "jobdeck.generator", configData: { durationSeconds: 0.5, rows: n }, mode: "run" as const }
          : { component: "keboola.ex-http", configData: { url: `http://127.0.0.1:${PORT}/data/${n}.csv`, table }, mode: "run" as const };
        const job = await createJob({ db: db(), auth, input });
        ids.push(job.id);
        if (input.component === "keboola.ex-http") tableOf.set(job.id, table);
      }
    };

    // Throughout the run: no job (component or Storage) is processing on a lease that ran out
    // longer than GRACE_SECONDS ago.
    const overdue: string[] = [];
    let samples = 0;
    let worstOverrun = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const stuck = await db().$queryRaw<{ kind: string; id: bigint; lease: Date; workerId: string | null }[]>`
          SELECT 'job' AS kind, id, "leaseExpiresAt" AS lease, "workerId" FROM "Job"
           WHERE "projectId" = ${project.id} AND status = 'processing' AND type = 'standard'
             AND "leaseExpiresAt" < now() - make_interval(secs => ${GRACE_SECONDS})
          UNION ALL
          SELECT 'storage job', id, "leaseExpiresAt", "workerId" FROM "StorageJob"
           WHERE "projectId" = ${project.id} AND status = 'processing'
             AND "leaseExpiresAt" < now() - make_interval(secs => ${GRACE_SECONDS})`;
        const [{ worst }] = await db().$queryRaw<[{ worst: number | null }]>`
          SELECT extract(epoch FROM max(now() - "leaseExpiresAt"))::float AS worst FROM "Job"
           WHERE "projectId" = ${project.id} AND status = 'processing' AND type = 'standard' AND "leaseExpiresAt" < now()`;
        worstOverrun = Math.max(worstOverrun, worst ?? 0);
        for (const s of stuck) {
          const owner = workers.find((w) => s.workerId?.includes(`-${w.child.pid}-`) || s.workerId?.includes(`:${w.child.pid}:`));
          const entry = `${s.kind} ${s.id} of ${s.workerId} (${owner ? (alive(owner) ? "alive" : "killed") : "unknown"}): lease expired at ${s.lease.toISOString()}`;
          if (!overdue.includes(entry)) overdue.push(entry);
        }
        samples += 1;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    let kills = 0;
    // A run that finds nothing to kill for this long is broken (workers not starting, not claiming):
    // it fails saying what it saw instead of spinning until the test times out.
    let searchingSince = Date.now();
    const succeeded = () => db().job.count({ where: { projectId: project.id, status: "success" } });
    try {
      while (kills < KILLS) {
        await feed();
        // Kill a worker only while it runs a job of ours, so each kill interrupts real work, and only
        // while another worker is up (registered, heartbeating) to take the lost jobs back.
        const processing = await db().job.findMany({ where: { projectId: project.id, status: "processing", workerId: { not: null } }, select: { workerId: true } });
        const beating = await db().worker.findMany({ where: { heartbeatAt: { gt: new Date(Date.now() - LEASE_SECONDS * 1000) } }, select: { id: true } });
        const up = workers.filter((w) => alive(w) && beating.some((b) => b.id.includes(`-${w.child.pid}-`)));
        const busy = processing[Math.floor(Math.random() * processing.length)];
        const victim = busy && up.length >= 2 && up.find((w) => busy.workerId!.includes(`-${w.child.pid}-`));
        if (!victim) {
          if (Date.now() - searchingSince > 180_000) {
            const statuses = await db().job.groupBy({ by: ["status"], where: { projectId: project.id }, _count: true });
            const last = workers.at(-1)!;
            throw new Error(
              `no worker to kill for 180 s after ${kills} kills: ${processing.length} jobs processing, ${up.length} workers up of ${workers.filter(alive).length} alive, ` +
                `jobs ${JSON.stringify(statuses.map((g) => [g.status, g._count]))}; the newest worker printed:\n${last.output().slice(-3000)}`,
            );
          }
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        victim.child.kill("SIGKILL");
        await victim.exited;
        kills += 1;
        workers.push(spawnWorker(url, workerEnv));
        // The next kill comes once some job has ended since this one (or a few seconds passed):
        // killing much faster than jobs can finish would only rerun the same jobs over and over.
        const before = await succeeded();
        const until = Date.now() + PACE_MS;
        await waitFor("a job to end between kills", async () => Date.now() > until || (await succeeded()) > before, 120_000);
        searchingSince = Date.now();
      }
      // After the last kill, everything ends by itself.
      await waitFor("every job to end", async () => (await unfinished()) === 0, 180_000);
      await waitFor(
        "every Storage job to end",
        async () => (await db().storageJob.count({ where: { projectId: project.id, status: { notIn: ["success", "error"] } } })) === 0,
        180_000,
      );
    } finally {
      sampling = false;
      await sampler;
    }

    expect(kills).toBe(KILLS);
    expect(samples).toBeGreaterThan(20);

    const jobs = await db().job.findMany({ where: { projectId: project.id } });
    expect(jobs.length).toBe(ids.length);
    expect(jobs.filter((j) => j.status !== "success").map((j) => `${j.id} ${j.status} attempt ${j.attempt}: ${JSON.stringify(j.result)}`)).toEqual([]);
    const requeued = await db().jobEvent.count({ where: { projectId: project.id, event: "job.requeued" } });
    expect(requeued).toBeGreaterThanOrEqual(KILLS);
    const finishedEvents = await db().jobEvent.groupBy({ by: ["jobId"], where: { projectId: project.id, event: "job.finished" }, _count: true });
    expect(finishedEvents.filter((e) => e._count !== 1)).toEqual([]);
    expect(finishedEvents.length).toBe(ids.length);

    // Exactly one table per job, holding the file's rows once, and one physical table each.
    const tables = await db().storageTable.findMany({ where: { projectId: project.id } });
    expect(tables.map((t) => t.tableId).sort()).toEqual([...tableOf.values()].sort());
    let duplicates = 0;
    for (const table of tables) {
      const [{ rows, distinct }] = await db().$queryRawUnsafe<[{ rows: bigint; distinct: bigint }]>(
        `SELECT count(*) AS rows, count(DISTINCT id) AS distinct FROM ${storageTableRef(table.sqlName)}`,
      );
      if (rows !== BigInt(ROWS) || distinct !== BigInt(ROWS) || table.rowsCount !== BigInt(ROWS)) duplicates += 1;
    }
    const physical = await db().$queryRaw<{ name: string }[]>`
      SELECT tablename AS name FROM pg_tables WHERE schemaname = 'storage' AND tablename LIKE ${`t${project.id}\\_%`}`;
    expect(physical.map((p) => p.name).sort()).toEqual(tables.map((t) => t.sqlName).sort());

    // Exactly one downloaded file per job, its File row and its bytes on disk.
    const files = await db().file.groupBy({ by: ["runId"], where: { projectId: project.id }, _count: true });
    const extraFiles = files.filter((f) => f._count !== 1).map((f) => `run ${f.runId}: ${f._count} files`);
    expect(files.length).toBe(tableOf.size);
    // Bytes a kill orphaned (written, File row not yet recorded) are swept as the storage worker
    // does now and then; every job has ended, so nothing of this project is being written.
    const orphansSwept = await sweepOrphanFiles({ db: db(), projectId: project.id, olderThan: new Date() });
    const onDisk = readdirSync(path.join(env.filesDir, String(project.id)), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
    const fileRows = await db().file.count({ where: { projectId: project.id } });

    recordFigure(PART, "crashes survived (SIGKILL)", kills);
    recordFigure(PART, "jobs", ids.length);
    recordFigure(PART, "orphaned file bytes swept", orphansSwept);
    recordFigure(PART, "reruns (job.requeued)", requeued);
    recordFigure(PART, "lease samples / overdue", `${samples} / ${overdue.length}`);
    recordFigure(PART, "longest a job sat on an expired lease (s)", worstOverrun.toFixed(1));
    recordFigure(PART, "duplicate tables, rows or files", duplicates + extraFiles.length + (onDisk - fileRows));
    expect(duplicates).toBe(0);
    expect(extraFiles).toEqual([]);
    expect(onDisk).toBe(fileRows);
    expect(overdue, workers.filter(alive).map((w) => w.output().slice(-1500)).join("\n----\n")).toEqual([]);
  }, 1_500_000);
});
