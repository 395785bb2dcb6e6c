// PostgreSQL only: several worker processes claim at once. The limits must hold exactly.
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const workers: WorkerProcess[] = [];
afterAll(() => stopWorkers(workers));

describe("four worker processes on PostgreSQL", () => {
  it("never run more than the project limit, nor two jobs of one configuration at once, over hundreds of jobs", async () => {
    const { project, auth } = await createTestProject();
    await db().project.update({ where: { id: project.id }, data: { maxProcessingJobs: 6 } });
    const configs = [];
    for (let i = 0; i < 4; i++) {
      configs.push(
        await db().configuration.create({
          data: { projectId: project.id, componentId: "jobdeck.generator", configId: unique("cfg"), name: unique("Config"), configuration: { durationSeconds: 0.05 } },
        }),
      );
    }
    const ids: bigint[] = [];
    for (let i = 0; i < 300; i++) {
      const input = i % 3 === 0 ? { component: "jobdeck.generator", configData: { durationSeconds: 0.02, i }, mode: "run" as const } : { component: "jobdeck.generator", config: configs[i % 4]!.configId, mode: "run" as const };
      ids.push((await createJob({ db: db(), auth, input })).id);
    }
    for (let i = 0; i < 4; i++) workers.push(spawnWorker(inject("databaseUrl"), { WORKER_CONCURRENCY: "5" }));

    // Sample the database throughout the run.
    const worst = { project: 0, config: 0, samples: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await db().job.groupBy({ by: ["config"], where: { projectId: project.id, type: "standard", status: { in: ["processing", "terminating"] } }, _count: true });
        worst.project = Math.max(worst.project, rows.reduce((s, r) => s + r._count, 0));
        worst.config = Math.max(worst.config, ...rows.filter((r) => r.config).map((r) => r._count), 0);
        worst.samples += 1;
      }
    })();
    await waitFor("every job to finish", async () => (await db().job.count({ where: { id: { in: ids }, status: { notIn: [...FINAL_STATUSES] } } })) === 0, 240_000);
    sampling = false;
    await sampler;

    const statuses = await db().job.groupBy({ by: ["status"], where: { id: { in: ids } }, _count: true });
    expect(statuses).toEqual([{ status: "success", _count: 300 }]);
    expect(worst.samples).toBeGreaterThan(20);
    expect(worst.project).toBe(6);
    expect(worst.config).toBe(1);
    const started = await db().jobEvent.findMany({ where: { projectId: project.id, event: "job.started" }, select: { params: true } });
    // The start events say who ran each job: every worker process took a share.
    expect(new Set(started.map((e) => (e.params as { workerId: string }).workerId)).size).toBe(4);
   }, 240_000);
});
