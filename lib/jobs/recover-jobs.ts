import "server-only";
import type { Db } from "@/lib/db";
import { writeEvents } from "@/lib/events/write-event";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import { settleContainer } from "@/lib/jobs/settle-containers";
import { applyJobEvent, finishJob } from "@/lib/jobs/transitions";

export type RecoveryReport = { requeued: number; failed: number; terminated: number; settled: number };

/**
 * Finds jobs whose worker stopped renewing the lease (crashed, killed, partitioned away) and moves
 * them on: back to `created` for another attempt, to `error` after `maxAttempts`, or to
 * `terminated` when they were being killed anyway. Also settles containers whose last child's
 * worker died before it could settle them. Safe to run in many workers at once: every move is a
 * conditional update and only the winner writes the event.
 */
export async function recoverLostJobs(options: {
  db: Db;
  maxAttempts: number;
  now?: Date;
  limit?: number;
  /** Jobs the calling worker is running right now: not lost, even if a long pause let their lease lapse. */
  runningHere?: bigint[];
}): Promise<RecoveryReport> {
  const { db, maxAttempts } = options;
  const now = options.now ?? new Date();
  const report: RecoveryReport = { requeued: 0, failed: 0, terminated: 0, settled: 0 };
  const lost = await db.job.findMany({
    where: {
      status: { in: ["processing", "terminating"] },
      OR: [{ type: "standard" }, { childrenSpawnedAt: null }],
      AND: [{ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] }],
      ...(options.runningHere?.length ? { id: { notIn: options.runningHere } } : {}),
    },
    orderBy: { id: "asc" },
    take: options.limit ?? 200,
  });

  for (const job of lost) {
    const who = job.workerId ? `worker ${job.workerId}` : "its worker";
    if (job.status === "processing" && job.attempt < maxAttempts) {
      const requeued = await applyJobEvent({
        db,
        jobId: job.id,
        event: "requeue",
        data: () => ({ workerId: null, leaseExpiresAt: null, heartbeatAt: null, startTime: null }),
      });
      if (!requeued || requeued.status !== "created") continue;
      report.requeued += 1;
      await writeEvents({
        db,
        events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.requeued", component: job.component, type: "warn", message: `Lost ${who}; the job is queued again (attempt ${job.attempt} of ${maxAttempts} used)`, created: now }],
      });
      continue;
    }
    const giveUp = job.status === "processing";
    const message = giveUp
      ? `Lost ${who} ${job.attempt} times; giving up after ${maxAttempts} attempts.`
      : `Lost ${who} while the job was being terminated.`;
    const ended = await finishJob({
      db,
      jobId: job.id,
      outcome: "fail",
      result: { message, ...(giveUp ? { error: { type: "application" as const, message } } : {}) },
      now,
    });
    if (!ended) continue;
    if (ended.status === "terminated") report.terminated += 1;
    else report.failed += 1;
    await writeEvents({
      db,
      events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.finished", component: job.component, type: "error", message, created: now }],
    });
    if (ended.parentRunId) await settleContainer({ db, projectId: job.projectId, runId: ended.parentRunId });
  }

  // Containers whose children are all final but which nobody settled.
  const orphans = await db.$queryRaw<{ projectId: number; runId: string }[]>`
    SELECT c."projectId", c."runId" FROM "Job" c
    WHERE c.status IN ('processing', 'terminating') AND c.type <> 'standard' AND c."childrenSpawnedAt" IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM "Job" ch WHERE ch."projectId" = c."projectId" AND ch."parentRunId" = c."runId"
          AND NOT (ch.status = ANY(${FINAL_STATUSES as readonly string[]}::text[])))
    LIMIT 100`;
  for (const orphan of orphans) {
    await settleContainer({ db, projectId: orphan.projectId, runId: orphan.runId });
    report.settled += 1;
  }
  return report;
}
