// The demo's scheduled history comes from real schedules: every job under a schedule's token is
// one of its executions, at one of its slots.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seedDemo } from "@/prisma/seed";

describe("the seeded demo", () => {
  it("makes its scheduled jobs through real, enabled schedules with one execution per job", async () => {
    const existing = await db().project.findFirst({ where: { isDemo: true } });
    // On the shared PostgreSQL test database another file may have seeded it already.
    const projectId = existing?.id ?? (await seedDemo({ db: db(), demoToken: `demo-schedules-${Date.now()}-0123456789` })).projectId;
    const schedules = await db().schedule.findMany({ where: { projectId }, include: { configuration: true, executions: true } });
    expect(schedules.map((s) => s.configuration.name).sort()).toEqual(["CRM customers every 6 hours", "Nightly pipeline", "Shop orders every 6 hours"]);
    for (const s of schedules) {
      expect(s.state).toBe("enabled");
      expect(s.nextSlotAt!.getTime()).toBeGreaterThan(Math.max(...s.executions.map((e) => e.slotTime.getTime())));
      const jobs = await db().job.findMany({ where: { tokenId: s.tokenId, parentRunId: null }, select: { id: true } });
      expect(jobs.length).toBeGreaterThan(0);
      expect(jobs.map((j) => j.id).sort()).toEqual(s.executions.map((e) => e.jobId!).sort());
    }
    expect(schedules.find((s) => s.configuration.name === "Nightly pipeline")!.executions).toHaveLength(5);
  }, 120_000);

  it("writes its configurations, each with a first version, before its jobs ran, so a job's page knows the version it ran with", async () => {
    const existing = await db().project.findFirst({ where: { isDemo: true } });
    const projectId = existing?.id ?? (await seedDemo({ db: db(), demoToken: `demo-configs-${Date.now()}-0123456789` })).projectId;
    const configurations = await db().configuration.findMany({ where: { projectId }, include: { versions: true } });
    const jobs = await db().job.findMany({ where: { projectId, config: { not: null } }, select: { createdTime: true, config: true, component: true } });
    expect(jobs.length).toBeGreaterThan(10);
    for (const job of jobs) {
      const configuration = configurations.find((c) => c.componentId === job.component && c.configId === job.config);
      expect(configuration, `${job.component} ${job.config}`).toBeDefined();
      expect(configuration!.versions.map((v) => v.version)).toContain(1);
      expect(Math.min(...configuration!.versions.map((v) => v.createdAt.getTime()))).toBeLessThanOrEqual(job.createdTime.getTime());
    }
  }, 120_000);
});
