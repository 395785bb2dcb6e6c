import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { jobVersionSql, projectCountsVersionSql, projectJobsVersionSql, readVersion, runChildrenVersionSql } from "@/lib/jobs/job-version";
import { finishJob, holdJob, startJob } from "@/lib/jobs/transitions";
import { createTestConfig, createTestProject } from "@/test/factories";

describe("versions of what the dashboard polls", () => {
  const submit = (auth: Awaited<ReturnType<typeof createTestProject>>["auth"], parentRunId?: string) =>
    createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData: {}, mode: "run" }, parentRunId });

  it("a job's version changes when it or a descendant changes, and only then", async () => {
    const { project, auth } = await createTestProject();
    const root = await submit(auth);
    const version = () => readVersion({ db: db(), projectId: project.id, version: jobVersionSql(root.id.toString()) });
    const first = await version();
    expect(first).toEqual(expect.any(String));
    expect(await version()).toBe(first);
    await submit(auth); // another job of the project
    expect(await version()).toBe(first);

    const child = await submit(auth, root.runId);
    const withChild = await version();
    expect(withChild).not.toBe(first);
    await startJob({ db: db(), jobId: child.id });
    const started = await version();
    expect(started).not.toBe(withChild);
    await finishJob({ db: db(), jobId: child.id, outcome: "succeed" });
    expect(await version()).not.toBe(started);

    expect(await readVersion({ db: db(), projectId: project.id + 1_000_000, version: jobVersionSql(root.id.toString()) })).toBeNull();
    expect(await readVersion({ db: db(), projectId: project.id, version: jobVersionSql("abc") })).toBeNull();
  });

  it("a project's jobs have a version that changes with every new job, status, wait reason and configuration", async () => {
    const { project, auth } = await createTestProject();
    const other = await createTestProject();
    const version = () => readVersion({ db: db(), projectId: project.id, version: projectJobsVersionSql });
    const empty = await version();
    const seen = new Set([empty]);
    const changed = async () => {
      const now = await version();
      expect(seen.has(now), "the version should have changed").toBe(false);
      seen.add(now);
      expect(await version()).toBe(now);
    };

    const job = await submit(auth);
    await changed();
    await submit(other.auth);
    expect(seen.has(await version())).toBe(true); // another project's job changes nothing here
    await holdJob({ db: db(), jobId: job.id, reason: "projectLimit", detail: "limit" });
    await changed();
    await startJob({ db: db(), jobId: job.id });
    await changed();
    await finishJob({ db: db(), jobId: job.id, outcome: "fail" });
    await changed();
    const config = await createTestConfig(project.id, "jobdeck.generator");
    await changed();
    await db().configuration.update({ where: { pk: config.pk }, data: { name: "Renamed" } });
    await changed();
  });

  it("a project's counts have a version that changes with every new job and status, not with a running job's progress", async () => {
    const { project, auth } = await createTestProject();
    const other = await createTestProject();
    const version = () => readVersion({ db: db(), projectId: project.id, version: projectCountsVersionSql });
    const lists = () => readVersion({ db: db(), projectId: project.id, version: projectJobsVersionSql });
    const seen = new Set([await version()]);
    const changed = async () => {
      const now = await version();
      expect(seen.has(now), "the version should have changed").toBe(false);
      seen.add(now);
    };
    const unchanged = async () => expect(seen.has(await version()), "the version should not have changed").toBe(true);

    const job = await submit(auth);
    await changed();
    await submit(other.auth);
    await unchanged();
    await startJob({ db: db(), jobId: job.id });
    await changed();
    // Progress of a running job: the lists' version moves (they show it), the counts' does not.
    const listsBefore = await lists();
    await db().job.update({ where: { id: job.id }, data: { usageData: { progress: 0.5 } } });
    expect(await lists()).not.toBe(listsBefore);
    await unchanged();
    await createTestConfig(project.id, "jobdeck.generator");
    await unchanged();
    // Requeued and started again: the same status, another startTime, which a count may filter on.
    await db().job.update({ where: { id: job.id }, data: { startTime: new Date(Date.now() + 60_000) } });
    await changed();
    await finishJob({ db: db(), jobId: job.id, outcome: "succeed" });
    await changed();
  });

  it("a run's children have the version of its subtree", async () => {
    const { project, auth } = await createTestProject();
    const parent = await submit(auth);
    const version = () => readVersion({ db: db(), projectId: project.id, version: runChildrenVersionSql(parent.runId) });
    const first = await version();
    await submit(auth);
    expect(await version()).toBe(first);
    const child = await submit(auth, parent.runId);
    const withChild = await version();
    expect(withChild).not.toBe(first);
    await startJob({ db: db(), jobId: child.id });
    expect(await version()).not.toBe(withChild);

    const unknown = () => readVersion({ db: db(), projectId: project.id, version: runChildrenVersionSql("999999999") });
    expect(await unknown()).toMatch(/^none\//);
  });
});
