// PostgreSQL only: a long SQL transformation in a worker process keeps its lease (the SQL runs off the
// worker's event loop, so its heartbeats go on), is never taken back while it runs, runs once, and a
// kill ends it mid-query.
import { isDeepStrictEqual } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { createTestProject } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const workers: WorkerProcess[] = [];
afterAll(() => stopWorkers(workers));

// 27 billion combinations of three small series: far longer than the test waits, all of it CPU
// (each series fits in memory, so the workspace writes no temporary files and stays small).
const HEAVY_SQL = "CREATE TABLE counted AS SELECT count(*) AS n FROM generate_series(1, 3000) AS a, generate_series(1, 3000) AS b, generate_series(1, 3000) AS c";

describe("a long SQL transformation in a worker process", () => {
  it("keeps its lease while it runs, runs once, and is terminated by a kill", async () => {
    const { project, auth } = await createTestProject();
    // A 5 s lease renewed every 1.7 s: a worker whose event loop is held by the SQL loses it within
    // seconds, while a renewal that a busy machine's database delays by a second or two does not.
    const env = { JOBDECK_LEASE_SECONDS: "5", WORKER_CONCURRENCY: "2" };
    workers.push(spawnWorker(inject("databaseUrl"), env), spawnWorker(inject("databaseUrl"), env));
    const job = await createJob({ db: db(), auth, input: { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: HEAVY_SQL }, mode: "run" } });
    const started = await waitFor("the job to run", async () => {
      const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === "processing" && j.workerId ? j : null;
    }, 60_000);
    const ran = await waitFor("its SQL to start", async () => (await db().jobEvent.count({ where: { jobId: job.id, message: "Running the SQL" } })) > 0, 60_000);
    expect(ran).toBe(true);

    // Three lease periods of SQL: the job stays with its first worker, on its first attempt.
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      const held = { status: now.status, workerId: now.workerId, attempt: now.attempt };
      const expected = { status: "processing", workerId: started.workerId, attempt: started.attempt };
      // Should it fail, the workers' logs tell who took the job back and how late the renewals came
      // (logged once one comes through: a few seconds later).
      if (!isDeepStrictEqual(held, expected)) {
        await new Promise((r) => setTimeout(r, 5_000));
        console.log(workers.map((w) => w.output()).join("\n---\n"));
      }
      expect(held).toEqual(expected);
    }

    await killJob({ db: db(), projectId: project.id, id: job.id.toString() });
    const ended = await waitFor("the kill to end it", async () => {
      const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === "terminated" ? j : null;
    }, 30_000);
    expect(ended.attempt).toBe(started.attempt);
    expect(await db().jobEvent.count({ where: { jobId: job.id, event: "job.requeued" } })).toBe(0);
    expect(await db().jobEvent.count({ where: { jobId: job.id, message: "Running the SQL" } })).toBe(1);
    // Both workers are still there: nobody died, nobody was taken for dead.
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
  }, 120_000);
});
