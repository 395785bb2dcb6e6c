import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { recoverLostJobs } from "@/lib/jobs/recover-jobs";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput } from "@/lib/schemas/jobs";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerHandle, startWorker } from "@/worker/worker";

let worker: WorkerHandle;
beforeAll(() => {
  worker = startWorker({ db: db(), concurrency: 6, leaseMs: 3_000, idlePollMs: 50, recoveryEveryMs: 200, log: () => undefined });
});
afterAll(async () => {
  await worker.stop({ graceMs: 2_000 });
});

const final = FINAL_STATUSES as readonly string[];
async function finished(id: bigint) {
  return waitFor(`job ${id} to finish`, async () => {
    const job = await db().job.findUniqueOrThrow({ where: { id } });
    return final.includes(job.status) ? job : null;
  });
}
async function configure(projectId: number, componentId: string, body: object, rows: { rowId: string; configuration: object }[] = []) {
  return db().configuration.create({
    data: {
      projectId,
      componentId,
      configId: unique("cfg"),
      name: unique("Config"),
      configuration: body,
      rows: { create: rows.map((r, i) => ({ rowId: r.rowId, name: `Row ${r.rowId}`, configuration: r.configuration, sortOrder: i })) },
    },
  });
}
const submit = (auth: AuthContext, input: Partial<CreateJobInput> & { component: string }) =>
  createJob({ db: db(), auth, input: { mode: "run", ...input } as CreateJobInput });

/** Samples the project's processing jobs until `until` resolves; returns the worst moment seen. */
function sample(projectId: number) {
  let stop = false;
  const worst = { standard: 0, perConfig: 0 };
  const done = (async () => {
    while (!stop) {
      const rows = await db().job.findMany({ where: { projectId, status: { in: ["processing", "terminating"] } }, select: { type: true, config: true, parentRunId: true } });
      const standard = rows.filter((r) => r.type === "standard");
      worst.standard = Math.max(worst.standard, standard.length);
      const perConfig = new Map<string, number>();
      for (const r of standard) if (r.config) perConfig.set(r.config, (perConfig.get(r.config) ?? 0) + 1);
      worst.perConfig = Math.max(worst.perConfig, ...perConfig.values(), 0);
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return { async end() { stop = true; await done; return worst; } };
}

describe("execution engine", () => {
  it("runs a job through created → processing → success with events, duration and credits", async () => {
    const { auth } = await createTestProject();
    const job = await submit(auth, { component: "jobdeck.generator", configData: { rows: 10, durationSeconds: 1 } });
    const done = await finished(job.id);
    expect(done.status).toBe("success");
    expect(done.startTime).not.toBeNull();
    expect(done.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(done.credits).toBeGreaterThan(0);
    expect(done.result).toMatchObject({ message: "Generated 10 rows" });
    const events = await db().jobEvent.findMany({ where: { runId: job.runId }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["job.created", "job.started", "job.finished"]));
  });

  it("fails a job whose configuration is invalid, as a user error", async () => {
    const { auth } = await createTestProject();
    const job = await submit(auth, { component: "jobdeck.generator", configData: { rows: -1 } });
    const done = await finished(job.id);
    expect(done.status).toBe("error");
    expect(done.result).toMatchObject({ error: { type: "user", message: expect.stringMatching(/rows/) } });
  });

  it("holds jobs of one configuration behind a lock and says why", async () => {
    const { project, auth } = await createTestProject();
    const config = await configure(project.id, "jobdeck.generator", { durationSeconds: 0.4 });
    const sampler = sample(project.id);
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await submit(auth, { component: "jobdeck.generator", config: config.configId }));
    await waitFor("a job to wait on the lock", () => db().job.findFirst({ where: { projectId: project.id, waitReason: "configLock" } }));
    for (const job of jobs) expect((await finished(job.id)).status).toBe("success");
    expect((await sampler.end()).perConfig).toBe(1);
    const waited = await db().jobEvent.findFirst({ where: { projectId: project.id, event: "job.waiting" } });
    expect(waited?.message).toMatch(/already processing this configuration/);
  });

  it("keeps the project limit", async () => {
    const { project, auth } = await createTestProject();
    await db().project.update({ where: { id: project.id }, data: { maxProcessingJobs: 2 } });
    const sampler = sample(project.id);
    const jobs = [];
    for (let i = 0; i < 6; i++) jobs.push(await submit(auth, { component: "jobdeck.generator", configData: { durationSeconds: 0.3, i } }));
    await waitFor("a job to wait on the project limit", () => db().job.findFirst({ where: { projectId: project.id, waitReason: "projectLimit" } }));
    for (const job of jobs) expect((await finished(job.id)).status).toBe("success");
    const worst = await sampler.end();
    expect(worst.standard).toBe(2);
  });

  it("runs configuration rows as a container with limited parallelism", async () => {
    const { project, auth } = await createTestProject();
    const config = await configure(project.id, "jobdeck.generator", { durationSeconds: 0.3 }, ["a", "b", "c", "d", "e"].map((rowId) => ({ rowId, configuration: { rows: 5 } })));
    const sampler = sample(project.id);
    const container = await submit(auth, { component: "jobdeck.generator", config: config.configId, parallelism: "2" });
    expect(container.type).toBe("container");
    const done = await finished(container.id);
    expect(done.status).toBe("success");
    const children = await db().job.findMany({ where: { parentRunId: container.runId }, orderBy: { id: "asc" } });
    expect(children.map((c) => [c.configRowIds, c.status])).toEqual(["a", "b", "c", "d", "e"].map((r) => [[r], "success"]));
    expect((await sampler.end()).perConfig).toBe(2);
  });

  it("runs orchestration phases in order; a failed task fails it, or warns with onError warning", async () => {
    const { project, auth } = await createTestProject();
    const ok = await configure(project.id, "jobdeck.generator", { durationSeconds: 0.2 });
    const bad = await configure(project.id, "jobdeck.generator", { durationSeconds: 0.1, failureProbability: 1 });
    const phases = (failing: boolean) => ({
      phases: [
        { name: "First", tasks: [`jobdeck.generator/${ok.configId}`, { component: "jobdeck.generator", configData: { durationSeconds: 0.2 } }] },
        { name: "Second", tasks: [`jobdeck.generator/${failing ? bad.configId : ok.configId}`] },
        { name: "Third", tasks: [{ component: "jobdeck.generator", configData: { durationSeconds: 0 } }] },
      ],
    });

    const good = await submit(auth, { component: "keboola.orchestrator", configData: phases(false) });
    expect((await finished(good.id)).status).toBe("success");
    const goodPhases = await db().job.findMany({ where: { parentRunId: good.runId }, orderBy: { phase: "asc" } });
    expect(goodPhases.map((p) => [p.type, p.status])).toEqual([["phaseContainer", "success"], ["phaseContainer", "success"], ["phaseContainer", "success"]]);
    // Phase N+1 started only after phase N ended.
    expect(goodPhases[1]!.startTime!.getTime()).toBeGreaterThanOrEqual(goodPhases[0]!.endTime!.getTime());
    expect(goodPhases[2]!.startTime!.getTime()).toBeGreaterThanOrEqual(goodPhases[1]!.endTime!.getTime());
    expect(await db().jobEvent.count({ where: { runId: { in: goodPhases.map((p) => p.runId) }, event: "job.waiting" } })).toBeGreaterThan(0);

    const failed = await submit(auth, { component: "keboola.orchestrator", configData: phases(true) });
    const failedDone = await finished(failed.id);
    expect(failedDone.status).toBe("error");
    expect(JSON.stringify(failedDone.result)).toMatch(/did not succeed/);
    const failedPhases = await db().job.findMany({ where: { parentRunId: failed.runId }, orderBy: { phase: "asc" } });
    expect(failedPhases.map((p) => p.status)).toEqual(["success", "error", "cancelled"]);

    const warned = await submit(auth, { component: "keboola.orchestrator", configData: phases(true), behavior: { onError: "warning" } });
    expect((await finished(warned.id)).status).toBe("warning");
    const warnedPhases = await db().job.findMany({ where: { parentRunId: warned.runId }, orderBy: { phase: "asc" } });
    expect(warnedPhases.map((p) => p.status)).toEqual(["success", "warning", "success"]);
  });

  it("terminates a running job at once, saying who asked", async () => {
    const { project, auth } = await createTestProject();
    const job = await submit(auth, { component: "jobdeck.generator", configData: { durationSeconds: 600 } });
    await waitFor("the job to start", async () => (await db().job.findUniqueOrThrow({ where: { id: job.id } })).status === "processing");
    await killJob({ db: db(), projectId: project.id, id: job.id.toString(), killedBy: "alice@example.com" });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: "terminated", desiredStatus: "terminating" });
    // The event follows the status change.
    const last = await waitFor("the finished event", () => db().jobEvent.findFirst({ where: { runId: job.runId, event: "job.finished" } }));
    expect(last.message).toMatch(/terminated \(requested by alice@example\.com\)/);
  });

  it("terminates a running orchestration and everything under it", async () => {
    const { project, auth } = await createTestProject();
    const root = await submit(auth, {
      component: "keboola.orchestrator",
      configData: { phases: [{ name: "Long", tasks: [{ component: "jobdeck.generator", configData: { durationSeconds: 600 } }] }, { name: "Never", tasks: [{ component: "jobdeck.generator", configData: {} }] }] },
    });
    await waitFor("the task to run", () => db().job.findFirst({ where: { rootRunId: root.runId, type: "standard", status: "processing" } }));
    await killJob({ db: db(), projectId: project.id, id: root.id.toString() });
    expect((await finished(root.id)).status).toBe("terminated");
    const tree = await db().job.findMany({ where: { rootRunId: root.runId }, orderBy: { id: "asc" } });
    expect(tree.map((j) => [j.type, j.status])).toEqual([
      ["orchestrationContainer", "terminated"],
      ["phaseContainer", "terminated"],
      ["phaseContainer", "cancelled"],
      ["standard", "terminated"],
    ]);
  });

  it("takes back a job whose worker died, reruns it, and gives up after the attempts", async () => {
    const { project, auth } = await createTestProject();
    const job = await submit(auth, { component: "jobdeck.generator", configData: { durationSeconds: 0 } });
    // A worker that claimed the job and vanished: processing, lease long expired.
    const past = new Date(Date.now() - 60_000);
    const claimed = await db().job.updateMany({
      where: { id: job.id, status: "created" },
      data: { status: "processing", workerId: "ghost", attempt: 1, startTime: past, leaseExpiresAt: past },
    });
    if (claimed.count === 1) {
      expect((await finished(job.id)).status).toBe("success");
      const requeued = await db().jobEvent.findFirst({ where: { runId: job.runId, event: "job.requeued" } });
      expect(requeued?.message).toMatch(/Lost worker ghost/);
    }

    const doomed = await db().job.create({
      data: { projectId: project.id, tokenId: auth.tokenId, runId: unique("r").replace(/\D/g, "").slice(0, 12), rootRunId: "x", component: "jobdeck.generator", status: "processing", workerId: "ghost", attempt: 3, startTime: past, leaseExpiresAt: past },
    });
    await db().job.update({ where: { id: doomed.id }, data: { rootRunId: doomed.runId } });
    await recoverLostJobs({ db: db(), maxAttempts: 3 });
    const gaveUp = await finished(doomed.id);
    expect(gaveUp.status).toBe("error");
    expect(gaveUp.result).toMatchObject({ error: { type: "application", message: expect.stringMatching(/giving up after 3 attempts/) } });
  });
});
