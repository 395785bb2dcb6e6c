import "server-only";
import type { DbClient } from "@/lib/db";
import type { Job, Prisma } from "@/lib/generated/prisma/client";
import { creditsFor } from "@/lib/jobs/credits";
import { type JobEvent, type JobStatus, isFinished, nextStatus } from "@/lib/jobs/state";
import type { JobOutcome } from "@/lib/jobs/transitions-types";
import type { JobResult, WAIT_REASONS } from "@/lib/schemas/jobs";

/**
 * Moves one job by `event` with a conditional update (`WHERE status = <what we read>`), so two
 * writers racing on a job cannot both win and a final job is never touched. Returns the updated
 * job, or null when the event is not legal in the job's current status.
 */
export async function applyJobEvent(options: {
  db: DbClient;
  jobId: bigint;
  event: JobEvent;
  data?: (job: Job, next: JobStatus) => Prisma.JobUpdateManyMutationInput;
}): Promise<Job | null> {
  const { db, jobId, event } = options;
  for (let attempt = 0; attempt < 5; attempt++) {
    const job = await db.job.findUnique({ where: { id: jobId } });
    if (!job) return null;
    const next = nextStatus(job.status as JobStatus, event);
    if (!next) return null;
    const [updated] = await db.job.updateManyAndReturn({
      where: { id: jobId, status: job.status },
      data: { ...options.data?.(job, next), status: next },
    });
    if (updated) return updated;
  }
  return null;
}

export async function holdJob(options: {
  db: DbClient;
  jobId: bigint;
  reason: (typeof WAIT_REASONS)[number];
  detail: string;
}): Promise<Job | null> {
  return applyJobEvent({
    db: options.db,
    jobId: options.jobId,
    event: "wait",
    data: () => ({ waitReason: options.reason, waitDetail: options.detail }),
  });
}

export async function startJob(options: { db: DbClient; jobId: bigint; workerId?: string; now?: Date }): Promise<Job | null> {
  const now = options.now ?? new Date();
  return applyJobEvent({
    db: options.db,
    jobId: options.jobId,
    event: "start",
    data: (job) => ({
      startTime: job.startTime ?? now,
      workerId: options.workerId ?? null,
      heartbeatAt: now,
      attempt: { increment: 1 },
      waitReason: null,
      waitDetail: null,
    }),
  });
}

export type { JobOutcome };

/** Ends a processing (or terminating) job: times, processing-only duration, credits, result. */
export async function finishJob(options: {
  db: DbClient;
  jobId: bigint;
  outcome: JobOutcome;
  result?: JobResult;
  usageData?: Record<string, unknown>;
  inputTablesBytesSum?: number;
  outputTablesBytesSum?: number;
  now?: Date;
}): Promise<Job | null> {
  const { db } = options;
  const now = options.now ?? new Date();
  const component = await componentFor(db, options.jobId);
  return applyJobEvent({
    db,
    jobId: options.jobId,
    event: options.outcome,
    data: (job, next) => {
      const seconds = job.startTime ? Math.max(0, Math.round((now.getTime() - job.startTime.getTime()) / 1000)) : 0;
      const result: JobResult =
        next === "terminated" ? { ...options.result, message: "The job was terminated." } : (options.result ?? {});
      return {
        endTime: now,
        durationSeconds: seconds,
        credits: creditsFor(
          {
            jobType: job.type,
            componentType: component?.type ?? "other",
            runtime: component?.runtime ?? null,
            backendSize: job.backendSize,
          },
          seconds,
        ),
        result: result as object,
        usageData: (options.usageData ?? {}) as object,
        inputTablesBytesSum: BigInt(options.inputTablesBytesSum ?? 0),
        outputTablesBytesSum: BigInt(options.outputTablesBytesSum ?? 0),
        workerId: null,
        leaseExpiresAt: null,
      };
    },
  });
}

// The component catalog only changes when the server starts; the credit rate needs its type.
const componentCache = new Map<string, { type: string; runtime: string | null } | null>();

async function componentFor(db: DbClient, jobId: bigint) {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { component: true } });
  if (!job) return null;
  if (!componentCache.has(job.component)) {
    componentCache.set(job.component, await db.component.findUnique({ where: { id: job.component }, select: { type: true, runtime: true } }));
  }
  return componentCache.get(job.component) ?? null;
}

/** What a job that ends without ever running gets: `cancelled`, no processing time, no wait reason. */
export function cancelledData(now: Date) {
  return { status: "cancelled", endTime: now, durationSeconds: 0, waitReason: null, waitDetail: null } as const;
}

export function isFinalRow(job: Pick<Job, "status">): boolean {
  return isFinished(job.status as JobStatus);
}
