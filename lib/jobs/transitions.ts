import "server-only";
import type { DbClient } from "@/lib/db";
import type { Job, Prisma } from "@/lib/generated/prisma/client";
import { creditsFor } from "@/lib/jobs/credits";
import type { NewEvent } from "@/lib/events/write-event";
import { type JobEvent, type JobStatus, isFinished, movesFor, nextStatus } from "@/lib/jobs/state";
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
    data: (job, next) => endData(job, next, component, now, options),
  });
}

type EndFigures = Pick<RunEnd, "result" | "usageData" | "inputTablesBytesSum" | "outputTablesBytesSum">;

/** What ending a job writes besides its status: the one rule for duration, credits and result. */
function endData(
  job: Pick<Job, "startTime" | "type" | "backendSize">,
  next: JobStatus,
  component: ComponentFacts | null,
  now: Date,
  end: EndFigures,
) {
  const seconds = job.startTime ? Math.max(0, Math.round((now.getTime() - job.startTime.getTime()) / 1000)) : 0;
  const result: JobResult = next === "terminated" ? { ...end.result, message: "The job was terminated." } : (end.result ?? {});
  return {
    endTime: now,
    durationSeconds: seconds,
    credits: creditsFor({ jobType: job.type, componentType: component?.type ?? "other", runtime: component?.runtime ?? null, backendSize: job.backendSize }, seconds),
    result: result as object,
    usageData: (end.usageData ?? {}) as object,
    inputTablesBytesSum: BigInt(end.inputTablesBytesSum ?? 0),
    outputTablesBytesSum: BigInt(end.outputTablesBytesSum ?? 0),
    workerId: null,
    leaseExpiresAt: null,
  };
}

/** How one run ended, as its worker reports it; `job` is the row its claim returned. */
export type RunEnd = {
  job: Job;
  outcome: JobOutcome;
  result?: JobResult;
  usageData?: Record<string, unknown>;
  inputTablesBytesSum?: number;
  outputTablesBytesSum?: number;
};

/** The event that announces a run's end, given the status it ended in (null: none, or written later). */
export type EndEvent = (end: RunEnd, ended: { status: JobStatus; durationSeconds: number; credits: number }) => Omit<NewEvent, "projectId" | "jobId" | "runId" | "component" | "created"> | null;

/**
 * Ends many runs in one statement (a worker's group commit). Each run moves only if it is still the
 * run its worker claimed (same id and attempt: not taken back and restarted elsewhere) and its
 * status is one `outcome` is legal from; every legal `[from, to]` move is a candidate row and at
 * most one matches. The events `announce` returns are written by the same statement. Returns the
 * ended rows in the order of `ends`, null where the job had already moved on.
 */
/** What ending a run answers: the figures its worker reports on (not the whole row: a worker ends hundreds at once). */
export type EndedRun = Pick<Job, "id" | "status" | "durationSeconds" | "credits">;

export async function finishRuns(options: { db: DbClient; ends: RunEnd[]; announce?: EndEvent; now?: Date; retries?: number }): Promise<(EndedRun | null)[]> {
  const { db, ends } = options;
  if (ends.length === 0) return [];
  const now = options.now ?? new Date();
  type Candidate = { end: RunEnd; from: JobStatus; to: JobStatus; data: ReturnType<typeof endData>; event: ReturnType<EndEvent> };
  const candidates: Candidate[] = [];
  for (const end of ends) {
    const component = await componentInfo(db, end.job.component);
    const moves = movesFor(end.outcome);
    for (const [i, from] of moves.from.entries()) {
      const to = moves.to[i]!;
      const data = endData(end.job, to, component, now, end);
      const event = options.announce?.(end, { status: to, durationSeconds: data.durationSeconds, credits: data.credits }) ?? null;
      candidates.push({ end, from, to, data, event });
    }
  }
  const column = <T,>(pick: (c: Candidate) => T) => candidates.map(pick);
  const ended = await db.$queryRaw<EndedRun[]>`
    WITH c AS (
      SELECT * FROM unnest(
        ${column((c) => c.end.job.id)}::bigint[], ${column((c) => c.end.job.attempt)}::int[],
        ${column((c) => c.from)}::text[], ${column((c) => c.to)}::text[],
        ${column((c) => c.data.durationSeconds)}::int[], ${column((c) => c.data.credits)}::float8[],
        ${column((c) => JSON.stringify(c.data.result))}::text[], ${column((c) => JSON.stringify(c.data.usageData))}::text[],
        ${column((c) => c.data.inputTablesBytesSum)}::bigint[], ${column((c) => c.data.outputTablesBytesSum)}::bigint[],
        ${column((c) => c.event?.event ?? null)}::text[], ${column((c) => c.event?.message ?? null)}::text[],
        ${column((c) => c.event?.type ?? "info")}::text[], ${column((c) => JSON.stringify(c.event?.results ?? {}))}::text[]
      ) AS c(id, attempt, "from", "to", seconds, credits, result, usage, in_bytes, out_bytes, event, message, type, results)),
    ended AS (
      UPDATE "Job" j SET status = c."to", "endTime" = ${now}, "durationSeconds" = c.seconds, credits = c.credits,
             result = c.result::jsonb, "usageData" = c.usage::jsonb, "inputTablesBytesSum" = c.in_bytes,
             "outputTablesBytesSum" = c.out_bytes, "workerId" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ${now}
      FROM c
      WHERE j.id = c.id AND j.attempt = c.attempt AND j.status = c."from"
      RETURNING j.id, j."projectId", j."runId", j.component, j.status, j."durationSeconds", j.credits),
    events AS (
      INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, results, created)
      SELECT e."projectId", e.id, e."runId", c.event, e.component, c.message, c.type, c.results::jsonb, ${now}
      FROM ended e JOIN c ON c.id = e.id AND c."to" = e.status
      WHERE c.event IS NOT NULL)
    SELECT id, status, "durationSeconds", credits FROM ended`;
  const byId = new Map(ended.map((j) => [j.id, j]));
  // A move committed meanwhile (a kill: processing → terminating) is re-checked by PostgreSQL only
  // against the candidate row it first matched, so the move now legal was never tried: ask again
  // with a fresh snapshot. A job that is no longer this run's (final, or a later attempt) stays null.
  const missed = ends.filter((e) => !byId.has(e.job.id));
  const retries = options.retries ?? 2;
  if (missed.length > 0 && retries > 0) {
    const again = await finishRuns({ ...options, ends: missed, now, retries: retries - 1 });
    missed.forEach((e, i) => again[i] && byId.set(e.job.id, again[i]));
  }
  return ends.map((e) => byId.get(e.job.id) ?? null);
}

// The component catalog only changes when the server starts; the credit rate needs its type.
type ComponentFacts = { type: string; runtime: string | null };
const componentCache = new Map<string, ComponentFacts | null>();

async function componentInfo(db: DbClient, componentId: string): Promise<ComponentFacts | null> {
  if (!componentCache.has(componentId)) {
    componentCache.set(componentId, await db.component.findUnique({ where: { id: componentId }, select: { type: true, runtime: true } }));
  }
  return componentCache.get(componentId) ?? null;
}

async function componentFor(db: DbClient, jobId: bigint) {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { component: true } });
  return job ? componentInfo(db, job.component) : null;
}

/** What a job that ends without ever running gets: `cancelled`, no processing time, no wait reason. */
export function cancelledData(now: Date) {
  return { status: "cancelled", endTime: now, durationSeconds: 0, waitReason: null, waitDetail: null } as const;
}

export function isFinalRow(job: Pick<Job, "status">): boolean {
  return isFinished(job.status as JobStatus);
}
