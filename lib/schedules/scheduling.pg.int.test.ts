// PostgreSQL only: three worker processes run the scheduling loop at once. Every due slot must
// make exactly one job, whoever wins it.
import { afterAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { activateSchedule } from "@/lib/schedules/activate-schedule";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

const workers: WorkerProcess[] = [];
afterAll(() => stopWorkers(workers));

describe("three processes scheduling at once on PostgreSQL", () => {
  it("make one job per slot: the catch-up slot they all race for at start, and the next minute's", async () => {
    const { project, auth } = await createTestProject();
    const target = await db().configuration.create({ data: { projectId: project.id, componentId: "jobdeck.noop", configId: unique("cfg"), name: "Every minute" } });
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { schedule } = await activateSchedule({
        db: db(),
        auth,
        input: { name: `Minutely ${i}`, configuration: { schedule: { cronTab: "* * * * *", timezone: i % 2 ? "Europe/Prague" : "UTC" }, target: { componentId: "jobdeck.noop", configurationId: target.configId } } },
      });
      ids.push(schedule.id);
    }
    // Nothing ran for three minutes: every schedule is due at once when the processes start.
    const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000);
    await db().schedule.updateMany({ where: { id: { in: ids } }, data: { nextSlotAt: since } });

    for (let i = 0; i < 3; i++) workers.push(spawnWorker(inject("databaseUrl"), { JOBDECK_SCHEDULER_TICK_MS: "50", WORKER_CONCURRENCY: "8" }));
    // Until every schedule has had its catch-up slot and the next minute's.
    await waitFor("two slots of every schedule", async () => (await db().scheduleExecution.groupBy({ by: ["scheduleId"], where: { scheduleId: { in: ids } }, _count: true })).filter((g) => g._count >= 2).length === ids.length, 100_000);
    await stopWorkers(workers);

    const executions = await db().scheduleExecution.findMany({ where: { scheduleId: { in: ids } }, orderBy: { slotTime: "asc" } });
    const schedules = await db().schedule.findMany({ where: { id: { in: ids } } });
    for (const s of schedules) {
      const mine = executions.filter((e) => e.scheduleId === s.id);
      // The catch-up run folds the missed minutes into one; then one per minute.
      expect(mine[0]!.missedSlots).toBeGreaterThanOrEqual(2);
      expect(mine.slice(1).every((e) => e.missedSlots === 0)).toBe(true);
      expect(mine.every((e) => e.status === "created" && e.jobId !== null)).toBe(true);
      // Exactly as many jobs under the schedule's token as slots it had.
      const jobs = await db().job.findMany({ where: { tokenId: s.tokenId }, select: { id: true } });
      expect(jobs.map((j) => j.id).sort()).toEqual(mine.map((e) => e.jobId!).sort());
    }
    // Every process logs the jobs it made: together exactly one line per slot.
    const lines = workers.flatMap((w) => w.output().split("\n").filter((l) => /\[scheduler\] schedule \d+: job/.test(l)));
    const ours = lines.filter((l) => ids.includes(Number(/schedule (\d+)/.exec(l)![1])));
    expect(ours).toHaveLength(executions.length);
    const makers = workers.filter((w) => w.output().includes("[scheduler] schedule")).length;
    console.log(`${executions.length} slots of ${ids.length} schedules, jobs made by ${makers} of 3 processes`);
  }, 150_000);
});
