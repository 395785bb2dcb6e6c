import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { readVersion } from "@/lib/jobs/job-version";
import { finishJob, holdJob, startJob } from "@/lib/jobs/transitions";
import { jobsListData, jobsListVersionSql } from "@/lib/queries/jobs-list-data";
import { DEFAULT_JOBS_FILTERS, type JobsFilters } from "@/lib/schemas/filters";
import { createTestConfig, createTestProject } from "@/test/factories";

describe("the Jobs page's first load, kept while the project's jobs are unchanged", () => {
  const origin = "http://jobdeck.test";

  async function newProject() {
    const { project, auth } = await createTestProject();
    const submit = (config?: string) => createJob({ db: db(), auth, input: { component: "jobdeck.generator", mode: "run", ...(config ? { config } : { configData: {} }) } });
    const load = async (filters: JobsFilters = DEFAULT_JOBS_FILTERS, at = origin) => {
      const version = await readVersion({ db: db(), projectId: project.id, version: jobsListVersionSql });
      return jobsListData({ db: db(), projectId: project.id, version, filters, origin: at });
    };
    return { project, auth, submit, load };
  }

  it("hands out what it read again while nothing changed, and reads anew after every kind of change", async () => {
    const { project, submit, load } = await newProject();
    const job = await submit();
    const first = await load();
    expect(first.page.jobs.map((j) => j.id)).toEqual([job.id.toString()]);
    expect(await load()).toBe(first);

    const second = await submit();
    const afterNew = await load();
    expect(afterNew).not.toBe(first);
    expect(afterNew.page.jobs.map((j) => j.id)).toEqual([second.id.toString(), job.id.toString()]);
    expect(afterNew.counts.total).toBe(2);
    expect(await load()).toBe(afterNew);

    await holdJob({ db: db(), jobId: job.id, reason: "projectLimit", detail: "The project runs its limit of jobs." });
    const held = await load();
    expect(held.page.jobs.find((j) => j.id === job.id.toString())?.waiting?.reason).toBe("projectLimit");

    await startJob({ db: db(), jobId: job.id });
    const started = await load();
    expect(started.page.jobs.find((j) => j.id === job.id.toString())?.status).toBe("processing");
    expect(started.counts.byStatus.processing).toBe(1);

    await finishJob({ db: db(), jobId: job.id, outcome: "succeed" });
    const finished = await load();
    expect(finished.page.jobs.find((j) => j.id === job.id.toString())?.status).toBe("success");
    expect(finished.counts.byStatus).toMatchObject({ processing: 0, success: 1 });
    expect(await load()).toBe(finished);

    const config = await createTestConfig(project.id, "jobdeck.generator");
    const configured = await submit(config.configId);
    expect((await load()).page.jobs[0]).toMatchObject({ id: configured.id.toString(), configName: config.name });
    await db().configuration.update({ where: { pk: config.pk }, data: { name: "Renamed" } });
    expect((await load()).page.jobs[0]?.configName).toBe("Renamed");
  });

  it("keeps each filter set and origin apart", async () => {
    const { submit, load } = await newProject();
    const job = await submit();
    await startJob({ db: db(), jobId: job.id });
    await submit();
    const all = await load();
    const processing = await load({ ...DEFAULT_JOBS_FILTERS, status: ["processing"] });
    expect(all.page.jobs).toHaveLength(2);
    expect(processing.page.jobs.map((j) => j.id)).toEqual([job.id.toString()]);
    expect(await load()).toBe(all);

    const elsewhere = await load(DEFAULT_JOBS_FILTERS, "https://jobs.example.com");
    expect(elsewhere.page.jobs[0]?.url).toMatch(/^https:\/\/jobs\.example\.com\/api\/jobs\//);
    expect((await load()).page.jobs[0]?.url).toMatch(/^http:\/\/jobdeck\.test\//);
  });

  it("reads fresh every time when the filters depend on the time of asking, or the version is unknown", async () => {
    const { project, submit, load } = await newProject();
    await submit();
    const lastHour = { ...DEFAULT_JOBS_FILTERS, created: "1h" as const };
    expect(await load(lastHour)).not.toBe(await load(lastHour));
    const unknown = () => jobsListData({ db: db(), projectId: project.id, version: null, filters: DEFAULT_JOBS_FILTERS, origin });
    expect(await unknown()).not.toBe(await unknown());
  });

  it("forgets the least recently used of more than 64 filter sets, and keeps no page of more than 4 million characters of JSON", async () => {
    const { submit, load } = await newProject();
    await submit();
    const byCreator = (n: number) => ({ ...DEFAULT_JOBS_FILTERS, creator: [`creator ${n}`] });
    const first = await load(byCreator(0));
    const second = await load(byCreator(1));
    expect(await load(byCreator(0))).toBe(first); // now the most recently used
    for (let n = 2; n <= 64; n++) await load(byCreator(n));
    expect(await load(byCreator(0))).toBe(first);
    expect(await load(byCreator(1))).not.toBe(second);

    const large = await newProject();
    await large.submit();
    const job = await createJob({ db: db(), auth: large.auth, input: { component: "jobdeck.generator", mode: "run", configData: { blob: "x".repeat(4_100_000) } } });
    const page = await large.load();
    expect(page.page.jobs[0]?.id).toBe(job.id.toString());
    expect(await large.load()).not.toBe(page);
  });

  it("does not hand one project's jobs to another", async () => {
    const one = await newProject();
    const other = await newProject();
    await one.submit();
    const job = await other.submit();
    expect((await one.load()).page.jobs.map((j) => j.id)).not.toContain(job.id.toString());
    expect((await other.load()).page.jobs.map((j) => j.id)).toEqual([job.id.toString()]);
  });
});
