import "server-only";
import type { Db, DbClient } from "@/lib/db";
import { writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { containerOutcome } from "@/lib/jobs/container-outcome";
import { FINAL_STATUSES, statusesAllowing } from "@/lib/jobs/state";
import { cancelledData, finishJob } from "@/lib/jobs/transitions";
import type { JobResult } from "@/lib/schemas/jobs";

const RUNNING = ["processing", "terminating"];

/**
 * Ends a container once all its children have ended, then its parent, and so on up the tree.
 * The parent row is locked first, so of two children finishing at once the later one always sees
 * both finished. A failed phase (without onError: warning) cancels the phases after it.
 */
export async function settleContainer(options: { db: Db; projectId: number; runId: string; now?: Date }): Promise<void> {
  const { db, projectId } = options;
  let runId: string | null = options.runId;
  while (runId) {
    const settled: Job | null = await db.$transaction(async (tx) => {
      const [parent] = await tx.$queryRaw<Job[]>`
        SELECT * FROM "Job" WHERE "projectId" = ${projectId} AND "runId" = ${runId} FOR UPDATE`;
      if (!parent || parent.type === "standard" || !RUNNING.includes(parent.status) || !parent.childrenSpawnedAt) return null;
      const children = await tx.job.findMany({
        where: { projectId, parentRunId: parent.runId },
        select: { id: true, status: true, component: true, config: true, result: true, phase: true, onError: true },
        orderBy: { id: "asc" },
      });
      if (children.some((c) => !(FINAL_STATUSES as readonly string[]).includes(c.status))) return null;
      const { outcome, result } = containerOutcome(
        children.map((c) => ({ ...c, result: (c.result ?? {}) as JobResult })),
        parent.onError,
      );
      const ended = await finishJob({ db: tx, jobId: parent.id, outcome, result, now: options.now });
      // In the same transaction, so no worker can start a later phase in between.
      if (ended?.type === "phaseContainer" && ended.status === "error" && ended.onError !== "warning") await skipLaterPhases(tx, ended);
      return ended;
    });
    if (!settled) return;
    await writeEvents({
      db,
      events: [
        {
          projectId,
          jobId: settled.id,
          runId: settled.runId,
          event: "job.finished",
          component: settled.component,
          type: settled.status === "success" ? "success" : settled.status === "warning" ? "warn" : "error",
          message: `Job ${settled.id} ended ${settled.status}: ${(settled.result as JobResult).message ?? ""}`.trim(),
        },
      ],
    });
    runId = settled.parentRunId;
  }
}

async function skipLaterPhases(db: DbClient, failed: Job): Promise<void> {
  const later = await db.job.findMany({
    where: { projectId: failed.projectId, parentRunId: failed.parentRunId, type: "phaseContainer", phase: { gt: failed.phase ?? -1 }, status: { in: statusesAllowing("kill") } },
    select: { id: true, runId: true, component: true, status: true },
  });
  for (const phase of later) {
    const { count } = await db.job.updateMany({
      where: { id: phase.id, status: { in: ["created", "waiting"] } },
      data: cancelledData(new Date()),
    });
    if (count === 0) continue;
    await writeEvents({
      db,
      events: [{ projectId: failed.projectId, jobId: phase.id, runId: phase.runId, event: "job.skipped", component: phase.component, type: "warn", message: `Skipped: phase job ${failed.id} before it failed` }],
    });
  }
}

/** Settles every container of a subtree, deepest first (after a kill cancelled what had not started). */
export async function settleSubtree(options: { db: Db; projectId: number; runId: string }): Promise<void> {
  const containers = await options.db.job.findMany({
    where: {
      projectId: options.projectId,
      OR: [{ runId: options.runId }, { runId: { startsWith: `${options.runId}.` } }],
      type: { not: "standard" },
      status: { in: RUNNING },
    },
    select: { runId: true },
  });
  containers.sort((a, b) => b.runId.split(".").length - a.runId.split(".").length);
  for (const c of containers) await settleContainer({ db: options.db, projectId: options.projectId, runId: c.runId });
}
