import "server-only";
import type { Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { publishWork } from "@/lib/jobs/kill-signal";
import { createJob } from "@/lib/jobs/create-job";
import { dueSlot, nextSlot } from "@/lib/schedules/cron";
import { targetProblem } from "@/lib/schedules/target";
import type { JOB_MODES } from "@/lib/schemas/jobs";

export type SlotOutcome = { scheduleId: number; slot: Date; missed: number; jobId: bigint | null; reason: string | null };

/**
 * Fires every schedule whose next slot has come, each in its own transaction:
 * 1. lock the schedule row `FOR UPDATE SKIP LOCKED` (another process busy with it is skipped);
 * 2. claim the slot by inserting its execution — the unique (scheduleId, slotTime) lets exactly one
 *    insert win, whatever happened before;
 * 3. create the job in the same transaction (or record why it could not be made);
 * 4. move the schedule's next slot past now.
 * Slots missed while nothing ran are folded into one catch-up run of the latest (`missedSlots`).
 */
export async function runDueSchedules(options: { db: Db; now?: Date; limit?: number }): Promise<SlotOutcome[]> {
  const { db } = options;
  const limit = options.limit ?? 200;
  const outcomes: SlotOutcome[] = [];
  // Each schedule once per call, even if its transaction failed: a broken one cannot spin the loop.
  const seen: number[] = [0];
  while (seen.length <= limit) {
    const now = options.now ?? new Date();
    const result = await db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: number }[]>`
        SELECT id FROM "Schedule"
        WHERE state = 'enabled' AND "nextSlotAt" <= ${now} AND NOT (id = ANY(${seen}::int[]))
        ORDER BY "nextSlotAt", id LIMIT 1
        FOR UPDATE SKIP LOCKED`;
      if (!row) return null;
      seen.push(row.id);
      const schedule = await tx.schedule.findUniqueOrThrow({ where: { id: row.id }, include: { token: { select: { revokedAt: true } } } });
      const due = dueSlot({ cronTab: schedule.cronTab, timezone: schedule.timezone, from: schedule.nextSlotAt!, now });
      const after = nextSlot({ cronTab: schedule.cronTab, timezone: schedule.timezone, after: now });
      if (!due) {
        await tx.schedule.update({ where: { id: schedule.id }, data: { nextSlotAt: after } });
        return { outcome: null };
      }
      const claimed = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO "ScheduleExecution" ("scheduleId", "slotTime", "executionTime", "status", "missedSlots")
        VALUES (${schedule.id}, ${due.slot}, ${now}, 'created', ${due.missed})
        ON CONFLICT ("scheduleId", "slotTime") DO NOTHING
        RETURNING id`;
      await tx.schedule.update({ where: { id: schedule.id }, data: { nextSlotAt: after } });
      if (claimed.length === 0) return { outcome: null };

      const target = {
        componentId: schedule.targetComponentId,
        configurationId: schedule.targetConfigurationId,
        configurationRowIds: schedule.targetConfigurationRowIds,
        mode: schedule.targetMode as (typeof JOB_MODES)[number],
        ...(schedule.targetTag && { tag: schedule.targetTag }),
      };
      let reason = schedule.token.revokedAt ? "The schedule's token was revoked; activate the schedule again." : ((await targetProblem({ db: tx, projectId: schedule.projectId, target }))?.message ?? null);
      let jobId: bigint | null = null;
      if (reason === null) {
        try {
          const job = await createJob({
            db: tx,
            inTransaction: true,
            auth: { projectId: schedule.projectId, tokenId: schedule.tokenId },
            input: { component: target.componentId, config: target.configurationId, mode: target.mode, ...(target.configurationRowIds.length > 0 && { configRowIds: target.configurationRowIds }), ...(target.tag && { tag: target.tag }) },
            now,
          });
          jobId = job.id;
        } catch (error) {
          // A refusal (the same ones POST /jobs answers) is the slot's outcome; anything else rolls back and is retried.
          if (!(error instanceof ApiError)) throw error;
          reason = error.message;
        }
      }
      await tx.scheduleExecution.update({ where: { id: claimed[0]!.id }, data: { jobId, status: jobId === null ? "failed" : "created", reason } });
      return { outcome: { scheduleId: schedule.id, slot: due.slot, missed: due.missed, jobId, reason } };
    });
    if (result === null) break;
    if (result.outcome) outcomes.push(result.outcome);
  }
  if (outcomes.some((o) => o.jobId !== null)) await publishWork(db).catch(() => undefined);
  return outcomes;
}

/** When the earliest enabled schedule is due next (the loop sleeps until then, at most its tick). */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const next = await db.schedule.aggregate({ where: { state: "enabled" }, _min: { nextSlotAt: true } });
  return next._min.nextSlotAt;
}
