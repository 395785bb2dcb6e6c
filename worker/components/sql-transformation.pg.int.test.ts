// PostgreSQL only: a long SQL transformation in a worker process keeps its lease (the SQL runs off the
// worker's event loop, so its heartbeats go on), is never taken back while it runs, runs once, and a
// kill ends it mid-query.
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

// 30 million rows counted, a hundred times over: far longer than the test waits.
const HEAVY_SQL = "CREATE TABLE counted AS SELECT count(*) AS n FROM generate_series(1, 30000000) AS a CROSS JOIN generate_series(1, 100) AS b";

describe("a long SQL transformation in a worker process", () => {
  it("keeps its lease while it runs, runs once, and is terminated by a kill", async () => {
    const { project, auth } = await createTestProject();
    // A 3 s lease renewed every second: a worker whose event loop is held loses it within seconds.
    workers.push(spawnWorker(inject("databaseUrl"), { JOBDECK_LEASE_SECONDS: "3", WORKER_CONCURRENCY: "2" }));
    workers.push(spawnWorker(inject("databaseUrl"), { JOBDECK_LEASE_SECONDS: "3", WORKER_CONCURRENCY: "2" }));
    const job = await createJob({ db: db(), auth, input: { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: HEAVY_SQL }, mode: "run" } });
    const started = await waitFor("the job to run", async () => {
      const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === "processing" && j.workerId ? j : null;
    }, 60_000);
    const ran = await waitFor("its SQL to start", async () => (await db().jobEvent.count({ where: { jobId: job.id, message: "Running the SQL" } })) > 0, 60_000);
    expect(ran).toBe(true);

    // Four lease periods of SQL: the job stays with its first worker, on its first attempt.
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      expect({ status: now.status, workerId: now.workerId, attempt: now.attempt }).toEqual({ status: "processing", workerId: started.workerId, attempt: started.attempt });
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
