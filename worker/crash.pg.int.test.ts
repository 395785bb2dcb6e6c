// PostgreSQL only: worker processes killed with SIGKILL mid-job. Nothing may be lost or stuck.
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import { createTestProject } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const workers: WorkerProcess[] = [];
afterAll(() => stopWorkers(workers));

describe("worker processes killed mid-job", () => {
  it("lose their leases; the jobs run again elsewhere and all end", async () => {
    const { project, auth } = await createTestProject();
    await db().project.update({ where: { id: project.id }, data: { maxProcessingJobs: 50 } });
    const ids: bigint[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push((await createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData: { durationSeconds: 3, i }, mode: "run" } })).id);
    }
    const url = inject("databaseUrl");
    // Each kill hands back every job the victim ran, and reruns go first: allow for repeat hits.
    const env = { JOBDECK_LEASE_SECONDS: "3", JOBDECK_MAX_ATTEMPTS: "12" };
    for (let i = 0; i < 3; i++) workers.push(spawnWorker(url, env));

    const unfinished = () => db().job.count({ where: { id: { in: ids }, status: { notIn: [...FINAL_STATUSES] } } });
    let kills = 0;
    while (kills < 8 && (await unfinished()) > 0) {
      // Kill a worker only while it is running something of ours, so each kill interrupts real work.
      const processing = await db().job.findMany({ where: { id: { in: ids }, status: "processing", workerId: { not: null } }, select: { workerId: true } });
      const busy = processing[Math.floor(Math.random() * processing.length)];
      const victim = busy && workers.find((w) => w.child.exitCode === null && w.child.signalCode === null && busy.workerId!.includes(`-${w.child.pid}-`));
      if (victim) {
        victim.child.kill("SIGKILL");
        await victim.exited;
        kills += 1;
        workers.push(spawnWorker(url, env));
      }
      await new Promise((r) => setTimeout(r, 300));
    }

    expect(kills).toBe(8);
    await waitFor("every job to end", async () => (await unfinished()) === 0, 120_000);
    const jobs = await db().job.findMany({ where: { id: { in: ids } } });
    expect(jobs.filter((j) => j.status !== "success").map((j) => `${j.id} ${j.status} attempt ${j.attempt}: ${JSON.stringify(j.result)}`)).toEqual([]);
    const requeued = await db().jobEvent.count({ where: { projectId: project.id, event: "job.requeued" } });
    expect(requeued).toBeGreaterThanOrEqual(kills);
    // Every rerun is a new attempt of the same job, not a new job.
    expect(Math.max(...jobs.map((j) => j.attempt))).toBeGreaterThan(1);
    expect(await db().job.count({ where: { projectId: project.id } })).toBe(40);
   }, 240_000);
});
