import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { createJob } from "@/lib/jobs/create-job";
import { getJob } from "@/lib/jobs/get-job";
import { killJob } from "@/lib/jobs/kill-job";
import { searchJobs } from "@/lib/jobs/search-jobs";
import { finishJob, holdJob, startJob } from "@/lib/jobs/transitions";
import { type JobJson, SORT_KEYS, searchJobsSchema } from "@/lib/schemas/jobs";
import { createTestConfig, createTestProject } from "@/test/factories";

const origin = "http://jobdeck.test";
const search = (projectId: number, query: Record<string, unknown>, narrowRangeJobs?: number) =>
  searchJobs({ db: db(), projectId, input: searchJobsSchema.parse(query), origin, narrowRangeJobs });

/** Every page of a search, following the cursor. */
async function allPages(projectId: number, query: Record<string, unknown>, narrowRangeJobs?: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await search(projectId, { ...query, ...(cursor && { cursor }) }, narrowRangeJobs);
    ids.push(...page.jobs.map((j) => j.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("the cursor never ended");
}

async function expectApiError(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(status);
  expect((error as ApiError).code).toBe(code);
}

describe("jobs on the database", () => {
  it("creates a job, a child through its runId and a grandchild, and reads them back", async () => {
    const { project, auth } = await createTestProject();
    const config = await createTestConfig(project.id, "keboola.ex-http");
    const root = await createJob({ db: db(), auth, input: { component: "keboola.orchestrator", configData: { phases: [] }, mode: "run" } });
    const child = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", config: config.configId, mode: "run" }, parentRunId: root.runId });
    const grandchild = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", config: config.configId, mode: "debug" }, parentRunId: child.runId });

    expect(root.runId).toBe(root.id.toString());
    expect(root.type).toBe("orchestrationContainer");
    expect(child.runId).toBe(`${root.id}.${child.id}`);
    expect(grandchild.runId).toBe(`${root.id}.${child.id}.${grandchild.id}`);
    expect(grandchild.parentRunId).toBe(child.runId);

    const json = await getJob({ db: db(), projectId: project.id, id: child.id.toString(), origin });
    expect(json).toMatchObject({
      id: child.id.toString(),
      status: "created",
      desiredStatus: "processing",
      component: "keboola.ex-http",
      config: config.configId,
      configName: config.name,
      isFinished: false,
      url: `${origin}/api/jobs/${child.id}`,
      childrenCount: 1,
      subtree: { jobs: 2 },
      token: { description: expect.stringContaining("manager") },
    });
    const events = await db().jobEvent.findMany({ where: { runId: child.runId } });
    expect(events.map((e) => e.event)).toEqual(["job.created"]);
  });

  it("refuses unknown components, unknown or disabled configurations and foreign parents", async () => {
    const { project, auth } = await createTestProject();
    const other = await createTestProject();
    const disabled = await createTestConfig(project.id, "keboola.ex-http", { disabled: true });
    const foreign = await createJob({ db: db(), auth: other.auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });

    await expectApiError(createJob({ db: db(), auth, input: { component: "no.such", configData: {}, mode: "run" } }), 422, "invalidInput");
    await expectApiError(createJob({ db: db(), auth, input: { component: "keboola.ex-http", config: "404", mode: "run" } }), 422, "invalidInput");
    await expectApiError(createJob({ db: db(), auth, input: { component: "keboola.ex-http", config: disabled.configId, mode: "run" } }), 400, "configurationDisabled");
    await expectApiError(
      createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" }, parentRunId: foreign.runId }),
      400,
      "invalidRunId",
    );
    const forced = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", config: disabled.configId, mode: "forceRun" } });
    expect(forced.mode).toBe("forceRun");
  });

  it("never shows another project's job", async () => {
    const mine = await createTestProject();
    const theirs = await createTestProject();
    const job = await createJob({ db: db(), auth: theirs.auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });
    await expectApiError(getJob({ db: db(), projectId: mine.project.id, id: job.id.toString(), origin }), 404, "notFound");
    await expectApiError(killJob({ db: db(), projectId: mine.project.id, id: job.id.toString() }), 404, "notFound");
    expect((await search(mine.project.id, {})).jobs).toEqual([]);
  });

  it("kills a waiting job at once and refuses to kill it again", async () => {
    const { project, auth } = await createTestProject();
    const job = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });
    await holdJob({ db: db(), jobId: job.id, reason: "projectLimit", detail: "10 jobs are processing" });
    await killJob({ db: db(), projectId: project.id, id: job.id.toString() });
    const killed = await getJob({ db: db(), projectId: project.id, id: job.id.toString(), origin });
    expect(killed).toMatchObject({ status: "cancelled", desiredStatus: "terminating", isFinished: true, waiting: null });
    await expectApiError(killJob({ db: db(), projectId: project.id, id: job.id.toString() }), 400, "jobNotKillable");
  });

  it("kills a parent: running descendants terminate, pending ones are cancelled, finished ones stay", async () => {
    const { project, auth } = await createTestProject();
    const input = { component: "keboola.ex-http", configData: {}, mode: "run" as const };
    const root = await createJob({ db: db(), auth, input });
    await startJob({ db: db(), jobId: root.id });
    const running = await createJob({ db: db(), auth, input, parentRunId: root.runId });
    await startJob({ db: db(), jobId: running.id });
    const pending = await createJob({ db: db(), auth, input, parentRunId: running.runId });
    const done = await createJob({ db: db(), auth, input, parentRunId: root.runId });
    await startJob({ db: db(), jobId: done.id });
    await finishJob({ db: db(), jobId: done.id, outcome: "succeed" });

    const { descendantsKilled } = await killJob({ db: db(), projectId: project.id, id: root.id.toString() });
    expect(descendantsKilled).toBe(2);
    const statuses = Object.fromEntries(
      (await db().job.findMany({ where: { rootRunId: root.runId } })).map((j) => [j.id.toString(), [j.status, j.desiredStatus]]),
    );
    expect(statuses).toEqual({
      [root.id.toString()]: ["terminating", "terminating"],
      [running.id.toString()]: ["terminating", "terminating"],
      [pending.id.toString()]: ["cancelled", "terminating"],
      [done.id.toString()]: ["success", "processing"],
    });
    // The worker's report after a kill ends the job as terminated, whatever the work did.
    await finishJob({ db: db(), jobId: running.id, outcome: "succeed" });
    expect((await db().job.findUniqueOrThrow({ where: { id: running.id } })).status).toBe("terminated");
  });

  it("counts only processing time and rolls credits up over the subtree", async () => {
    const { project, auth } = await createTestProject();
    const t0 = new Date("2026-11-01T10:00:00Z");
    const root = await createJob({ db: db(), auth, input: { component: "keboola.orchestrator", configData: {}, mode: "run" }, now: t0 });
    const sql = await createJob({
      db: db(),
      auth,
      input: { component: "jobdeck.sql-transformation", configData: {}, mode: "run", backend: { size: "medium" } },
      parentRunId: root.runId,
      now: t0,
    });
    // Waited ten minutes, then processed for thirty: 12 credits/hour × 0.5 h = 6.
    await startJob({ db: db(), jobId: sql.id, now: new Date("2026-11-01T10:10:00Z") });
    await finishJob({ db: db(), jobId: sql.id, outcome: "succeed", now: new Date("2026-11-01T10:40:00Z") });
    const child = await getJob({ db: db(), projectId: project.id, id: sql.id.toString(), origin });
    expect(child).toMatchObject({ status: "success", isSuccess: true, durationSeconds: 1800, credits: 6 });
    const parent = await getJob({ db: db(), projectId: project.id, id: root.id.toString(), origin });
    expect(parent.subtree).toEqual({ jobs: 2, credits: 6, durationSeconds: 1800, unfinished: 1 });
  });

  it("freezes final jobs in the database itself", async () => {
    const { auth } = await createTestProject();
    const job = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });
    await startJob({ db: db(), jobId: job.id });
    await finishJob({ db: db(), jobId: job.id, outcome: "fail", result: { error: { type: "user", message: "boom" } } });
    await expect(db().$executeRaw`UPDATE "Job" SET status = 'processing' WHERE id = ${job.id}`).rejects.toThrow(/can no longer change/);
    await expect(db().$executeRaw`UPDATE "Job" SET status = 'bogus' WHERE id = ${job.id}`).rejects.toThrow();
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("error");
    // A worker reporting twice is a no-op, not a change.
    expect(await finishJob({ db: db(), jobId: job.id, outcome: "succeed" })).toBeNull();
  });

  it("searches by every kind of filter", async () => {
    const { project, auth, read } = await createTestProject();
    const config = await createTestConfig(project.id, "jobdeck.sql-transformation");
    const a = await createJob({ db: db(), auth, input: { component: "jobdeck.sql-transformation", config: config.configId, mode: "run" }, now: new Date("2026-11-01T10:00:00Z") });
    const b = await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "debug" }, now: new Date("2026-11-02T10:00:00Z") });
    const c = await createJob({ db: db(), auth: { ...auth, tokenId: read.id }, input: { component: "keboola.ex-http", configData: {}, mode: "run" }, parentRunId: b.runId, now: new Date("2026-11-03T10:00:00Z") });
    await startJob({ db: db(), jobId: a.id, now: new Date("2026-11-01T10:00:00Z") });
    await finishJob({ db: db(), jobId: a.id, outcome: "succeed", now: new Date("2026-11-01T10:05:00Z") });
    const ids = async (q: Record<string, unknown>) => (await search(project.id, q)).jobs.map((j) => j.id);
    const [A, B, C] = [a.id.toString(), b.id.toString(), c.id.toString()];

    expect(await ids({})).toEqual([C, B, A]);
    expect(await ids({ sortOrder: "asc" })).toEqual([A, B, C]);
    expect(await ids({ status: "success" })).toEqual([A]);
    expect(await ids({ status: ["success", "created"] })).toEqual([C, B, A]);
    expect(await ids({ excludeStatus: "success" })).toEqual([C, B]);
    expect(await ids({ componentId: "keboola.ex-http" })).toEqual([C, B]);
    expect(await ids({ configId: config.configId })).toEqual([A]);
    expect(await ids({ mode: "debug" })).toEqual([B]);
    expect(await ids({ parentRunId: b.runId })).toEqual([C]);
    expect(await ids({ runId: [a.runId, c.runId] })).toEqual([C, A]);
    expect(await ids({ id: [A, B] })).toEqual([B, A]);
    expect(await ids({ rootOnly: "true" })).toEqual([B, A]);
    expect(await ids({ tokenDescription: read.id ? (await db().token.findUniqueOrThrow({ where: { id: read.id } })).description : "" })).toEqual([C]);
    expect(await ids({ createdTimeFrom: "2026-11-02", createdTimeTo: "2026-11-02T23:59:59Z" })).toEqual([B]);
    expect(await ids({ durationSecondsFrom: "300", durationSecondsTo: "300" })).toEqual([A]);
    expect(await ids({ sortBy: "durationSeconds", sortOrder: "desc" })).toEqual([A, C, B]);
    expect(await ids({ limit: "1", offset: "1" })).toEqual([B]);
  });

  it("pages with a cursor that stays stable while new jobs arrive", async () => {
    const { project, auth } = await createTestProject();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      made.push((await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: { i }, mode: "run" } })).id.toString());
    }
    const first = await search(project.id, { limit: "3" });
    expect(first.jobs.map((j) => j.id)).toEqual(made.slice(4).reverse());
    // Two new jobs land between page requests; the next page continues where the first ended.
    await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });
    await createJob({ db: db(), auth, input: { component: "keboola.ex-http", configData: {}, mode: "run" } });
    const second = await search(project.id, { limit: "3", cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual(made.slice(1, 4).reverse());
    const third = await search(project.id, { limit: "3", cursor: second.nextCursor });
    expect(third.jobs.map((j) => j.id)).toEqual([made[0]]);
    expect(third.nextCursor).toBeNull();
    await expectApiError(search(project.id, { limit: "3", cursor: "not-a-cursor" }), 422, "invalidInput");
    await expectApiError(search(project.id, { sortBy: "createdTime", cursor: first.nextCursor }), 422, "invalidInput");
  });

  it("finds jobs by id inside a createdTime range, both ends included, whether the range is read whole or walked", async () => {
    const { project, auth } = await createTestProject();
    // Ids follow creation order and createdTime does not: nothing may assume the two agree.
    const times = [
      "2026-11-02T12:00:00.000Z", // 0 in
      "2026-11-02T10:00:00.000Z", // 1 in
      "2026-11-01T23:59:59.999Z", // 2 a millisecond before the range
      "2026-11-02T10:00:00.000Z", // 3 in, a child of 0
      "2026-11-03T00:00:00.000Z", // 4 in: the range's end
      "2026-11-03T00:00:00.001Z", // 5 a millisecond after the range
      "2026-11-02T00:00:00.000Z", // 6 in: the range's start
      "2026-11-01T08:00:00.000Z", // 7 before
      "2026-11-02T23:00:00.000Z", // 8 in
    ];
    const made: string[] = [];
    const runIds: string[] = [];
    for (const [i, time] of times.entries()) {
      const job = await createJob({
        db: db(),
        auth,
        input: { component: "keboola.ex-http", configData: { i }, mode: "run" },
        parentRunId: i === 3 ? runIds[0] : undefined,
        now: new Date(time),
      });
      made.push(job.id.toString());
      runIds.push(job.runId);
    }
    for (const i of [1, 6]) {
      await startJob({ db: db(), jobId: BigInt(made[i]!) });
      await finishJob({ db: db(), jobId: BigInt(made[i]!), outcome: "fail" });
    }
    const pick = (...indexes: number[]) => indexes.map((i) => made[i]!);
    const range = { createdTimeFrom: "2026-11-02T00:00:00Z", createdTimeTo: "2026-11-03T00:00:00Z" };
    // A bound of 1000 reads this range whole; a bound of 1 finds it too wide and walks the id index.
    for (const bound of [1000, 1]) {
      const ids = async (query: Record<string, unknown>) => (await search(project.id, query, bound)).jobs.map((j) => j.id);
      expect(await ids(range)).toEqual(pick(8, 6, 4, 3, 1, 0));
      expect(await ids({ ...range, sortOrder: "asc" })).toEqual(pick(0, 1, 3, 4, 6, 8));
      expect(await ids({ ...range, limit: "2", offset: "2" })).toEqual(pick(4, 3));
      expect(await allPages(project.id, { ...range, limit: "2" }, bound)).toEqual(pick(8, 6, 4, 3, 1, 0));
      expect(await allPages(project.id, { ...range, limit: "4", sortOrder: "asc" }, bound)).toEqual(pick(0, 1, 3, 4, 6, 8));
      expect(await ids({ ...range, status: "error" })).toEqual(pick(6, 1));
      expect(await ids({ ...range, rootOnly: "true" })).toEqual(pick(8, 6, 4, 1, 0));
      expect(await ids({ createdTimeFrom: range.createdTimeFrom })).toEqual(pick(8, 6, 5, 4, 3, 1, 0));
      expect(await ids({ createdTimeTo: range.createdTimeTo })).toEqual(pick(8, 7, 6, 4, 3, 2, 1, 0));
      expect(await ids({ createdTimeFrom: "2026-11-05" })).toEqual([]);
      const page = await search(project.id, { ...range, limit: "6" }, bound);
      expect(page.nextCursor).toBeNull();
      expect(page.jobs[0]).toMatchObject({ id: made[8], createdTime: times[8], subtree: { jobs: 1 } });
      expect(page.jobs.find((j) => j.id === made[0])).toMatchObject({ childrenCount: 1, subtree: { jobs: 2, unfinished: 2 } });
    }
  });

  it("pages with a cursor under every sort and order: ties broken by id, missing values last", async () => {
    const { project, auth } = await createTestProject();
    const at = (time: string) => new Date(`2026-11-01T${time}:00Z`);
    const submit = (component: string, created: string) => createJob({ db: db(), auth, input: { component, configData: {}, mode: "run" }, now: at(created) });
    const run = async (job: { id: bigint }, start: string, end?: string, outcome: "succeed" | "fail" = "succeed") => {
      await startJob({ db: db(), jobId: job.id, now: at(start) });
      if (end) await finishJob({ db: db(), jobId: job.id, outcome, now: at(end) });
    };
    await run(await submit("keboola.ex-http", "10:00"), "10:01", "10:05");
    await run(await submit("keboola.ex-http", "10:00"), "10:01", "10:03", "fail");
    await submit("keboola.ex-http", "09:00");
    await run(await submit("keboola.orchestrator", "10:00"), "10:02");
    const held = await submit("keboola.ex-http", "11:00");
    await holdJob({ db: db(), jobId: held.id, reason: "projectLimit", detail: "limit" });
    await run(await submit("jobdeck.sql-transformation", "09:00"), "09:30", "09:34");
    await submit("jobdeck.sql-transformation", "10:00");
    const everything = (await search(project.id, { limit: "100" })).jobs;
    expect(everything).toHaveLength(7);
    const field = { id: null, createdTime: "createdTime", startTime: "startTime", endTime: "endTime", durationSeconds: "durationSeconds", status: "status", componentId: "component" } as const;
    for (const sortBy of SORT_KEYS) {
      for (const sortOrder of ["asc", "desc"] as const) {
        const dir = sortOrder === "asc" ? 1 : -1;
        const key = field[sortBy];
        const expected = [...everything]
          .sort((a: JobJson, b: JobJson) => {
            const [x, y] = key ? [a[key], b[key]] : [null, null];
            if (x !== y) {
              if (x === null) return 1;
              if (y === null) return -1;
              return (x < y ? -1 : 1) * dir;
            }
            return (BigInt(a.id) < BigInt(b.id) ? -1 : 1) * dir;
          })
          .map((j) => j.id);
        const query = { sortBy, sortOrder };
        expect((await search(project.id, { ...query, limit: "100" })).jobs.map((j) => j.id), `${sortBy} ${sortOrder}`).toEqual(expected);
        expect(await allPages(project.id, { ...query, limit: "2" }), `${sortBy} ${sortOrder} by cursor`).toEqual(expected);
      }
    }
  });
});
