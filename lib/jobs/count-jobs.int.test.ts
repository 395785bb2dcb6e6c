import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { countJobs } from "@/lib/jobs/count-jobs";
import { createJob } from "@/lib/jobs/create-job";
import { finishJob, holdJob, startJob } from "@/lib/jobs/transitions";
import { countJobsSchema } from "@/lib/schemas/job-counts";
import { createTestProject } from "@/test/factories";

describe("job counts", () => {
  it("counts the jobs the search filters select, per status and per tab", async () => {
    const { project, auth } = await createTestProject();
    const other = await createTestProject();
    const submit = (configData: Record<string, unknown>, parentRunId?: string) =>
      createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData, mode: "run" }, parentRunId });
    const running = await submit({ rows: 1 });
    await startJob({ db: db(), jobId: running.id });
    const failed = await submit({ rows: 2 });
    await startJob({ db: db(), jobId: failed.id });
    await finishJob({ db: db(), jobId: failed.id, outcome: "fail" });
    const held = await submit({ rows: 3 });
    await holdJob({ db: db(), jobId: held.id, reason: "projectLimit", detail: "limit" });
    await submit({ rows: 4 }, running.runId);
    await createJob({ db: db(), auth: other.auth, input: { component: "jobdeck.generator", configData: {}, mode: "run" } });

    const count = (query: Record<string, unknown>) => countJobs({ db: db(), projectId: project.id, input: countJobsSchema.parse(query) });
    expect(await count({})).toMatchObject({
      total: 4,
      byStatus: { processing: 1, error: 1, waiting: 1, created: 1, success: 0 },
      groups: { all: 4, running: 1, waiting: 2, failed: 1 },
    });
    expect((await count({ rootOnly: "true" })).groups).toEqual({ all: 3, running: 1, waiting: 1, failed: 1 });
    expect((await count({ excludeStatus: "error" })).total).toBe(3);
    expect((await count({ id: [running.id.toString(), failed.id.toString()] })).groups).toMatchObject({ all: 2, failed: 1 });
    expect(() => countJobsSchema.parse({ limit: "5" })).toThrow();
  });
});
