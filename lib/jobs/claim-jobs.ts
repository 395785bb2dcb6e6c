import "server-only";
import type { Db, DbClient } from "@/lib/db";
import { writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { type ParentFacts, type ProjectFacts, type QueuedJob, type RunningJob, decide } from "@/lib/jobs/scheduler";
import { FINAL_STATUSES, statusesAllowing } from "@/lib/jobs/state";

// Advisory-lock namespaces (first key of pg_try_advisory_xact_lock(int, int)).
export const LOCK_PROJECT_SCHEDULING = 7301;

const QUEUED = statusesAllowing("start");
const HOLDING_A_SLOT = ["processing", "terminating"];
const SCAN_LIMIT = 1000;
// Queued rows looked at per project and claim: enough to see past a few blocked jobs.
const lookahead = (want: number) => Math.max(50, want * 4);

/**
 * Claims up to `slots` runnable jobs for a worker. Decisions are made per project under a
 * transaction-scoped advisory lock, so two workers can never both take the last free slot of a
 * project or start two jobs of one configuration; a project another worker is deciding for is
 * skipped (the project-level equivalent of SKIP LOCKED), and the queued rows themselves are taken
 * with FOR UPDATE SKIP LOCKED. Jobs that may not run yet are marked `waiting` with the reason.
 */
export async function claimJobs(options: {
  db: Db;
  workerId: string;
  slots: number;
  leaseMs: number;
  now?: () => Date;
}): Promise<{ jobs: Job[]; contended: boolean }> {
  const { db } = options;
  if (options.slots <= 0) return { jobs: [], contended: false };
  const scan = await db.$queryRaw<{ projectId: number }[]>`
    SELECT "projectId" FROM "Job" WHERE status = ANY(${QUEUED}::text[]) ORDER BY id LIMIT ${SCAN_LIMIT}`;
  const projects = [...new Set(scan.map((r) => r.projectId))];
  const claimed: Job[] = [];
  let contended = false;
  for (const projectId of projects) {
    const want = options.slots - claimed.length;
    if (want <= 0) break;
    const jobs = await db.$transaction((tx) => claimInProject(tx, { ...options, projectId, want }));
    if (jobs === null) contended = true;
    else claimed.push(...jobs);
  }
  // `contended`: another worker was deciding for a project we skipped; worth asking again soon.
  return { jobs: claimed, contended };
}

type QueuedRow = QueuedJob & { status: string; waitReason: string | null; waitDetail: string | null; runId: string };

async function claimInProject(
  tx: DbClient,
  options: { projectId: number; want: number; workerId: string; leaseMs: number; now?: () => Date },
): Promise<Job[] | null> {
  const { projectId } = options;
  const [lock] = await tx.$queryRaw<[{ ok: boolean }]>`SELECT pg_try_advisory_xact_lock(${LOCK_PROJECT_SCHEDULING}::int, ${projectId}::int) AS ok`;
  if (!lock.ok) return null;

  const queued = await tx.$queryRaw<QueuedRow[]>`
    SELECT j.id, j."runId", j.type, j.component, coalesce(c.type, 'other') AS "componentType", j.config, j."branchId",
           j."tokenId", j.phase, j."parentRunId", j.status, j."waitReason", j."waitDetail"
    FROM "Job" j LEFT JOIN "Component" c ON c.id = j.component
    WHERE j."projectId" = ${projectId} AND j.status = ANY(${QUEUED}::text[])
    ORDER BY j.id LIMIT ${lookahead(options.want)}
    FOR UPDATE OF j SKIP LOCKED`;
  if (queued.length === 0) return [];

  const facts = await loadFacts(tx, projectId, queued);
  const start: bigint[] = [];
  const hold: { job: QueuedRow; reason: string; detail: string }[] = [];
  for (const job of queued) {
    if (start.length >= options.want) break;
    const decision = decide(job, facts);
    if (decision.run) {
      start.push(job.id);
      // Later decisions in this batch see this job as running.
      facts.running.push({ ...job, parentType: job.parentRunId ? (facts.parents.get(job.parentRunId)?.type ?? null) : null });
    } else if (job.status !== "waiting" || job.waitReason !== decision.reason || job.waitDetail !== decision.detail) {
      hold.push({ job, reason: decision.reason, detail: decision.detail });
    }
  }

  const now = options.now?.() ?? new Date();
  const started =
    start.length === 0
      ? []
      : await tx.job.updateManyAndReturn({
      where: { id: { in: start }, status: { in: QUEUED } },
      data: {
        status: "processing",
        startTime: now,
        workerId: options.workerId,
        heartbeatAt: now,
        leaseExpiresAt: new Date(now.getTime() + options.leaseMs),
        attempt: { increment: 1 },
        waitReason: null,
        waitDetail: null,
      },
    });
  for (const { job, reason, detail } of hold) {
    await tx.job.updateMany({ where: { id: job.id, status: job.status }, data: { status: "waiting", waitReason: reason, waitDetail: detail } });
  }
  await writeEvents({
    db: tx,
    events: hold
      .filter((h) => h.job.waitReason !== h.reason)
      .map((h) => ({
        projectId,
        jobId: h.job.id,
        runId: h.job.runId,
        event: "job.waiting",
        component: h.job.component,
        type: "info" as const,
        message: `Waiting: ${h.detail}`,
        params: { reason: h.reason },
        created: now,
      })),
  });
  return started.sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function loadFacts(tx: DbClient, projectId: number, queued: QueuedRow[]): Promise<ProjectFacts> {
  const parentRunIds = [...new Set(queued.map((q) => q.parentRunId).filter((r): r is string => r !== null))];
  const phaseParents = [...new Set(queued.filter((q) => q.type === "phaseContainer" && q.parentRunId).map((q) => q.parentRunId!))];
  // One after the other: an interactive transaction is one connection.
  const project = await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { maxProcessingJobs: true } });
  const running = await tx.$queryRaw<RunningJob[]>`
      SELECT r.id, r.type, r.component, r.config, r."branchId", r."tokenId", r."parentRunId", p.type AS "parentType"
      FROM "Job" r LEFT JOIN "Job" p ON p."projectId" = r."projectId" AND p."runId" = r."parentRunId"
      WHERE r."projectId" = ${projectId} AND r.status = ANY(${HOLDING_A_SLOT}::text[])`;
  const parents =
    parentRunIds.length === 0
      ? []
      : await tx.$queryRaw<ParentFacts[]>`
          SELECT "runId", type, status, parallelism FROM "Job"
          WHERE "projectId" = ${projectId} AND "runId" = ANY(${parentRunIds}::text[])`;
  const phases =
    phaseParents.length === 0
      ? []
      : await tx.$queryRaw<{ parentRunId: string; phase: number }[]>`
          SELECT "parentRunId", phase FROM "Job"
          WHERE "projectId" = ${projectId} AND "parentRunId" = ANY(${phaseParents}::text[])
            AND type = 'phaseContainer' AND phase IS NOT NULL AND NOT (status = ANY(${FINAL_STATUSES as readonly string[]}::text[]))`;
  const unfinishedPhases = new Map<string, number[]>();
  for (const p of phases) unfinishedPhases.set(p.parentRunId, [...(unfinishedPhases.get(p.parentRunId) ?? []), p.phase]);
  return {
    maxProcessingJobs: project.maxProcessingJobs,
    running,
    parents: new Map(parents.map((p) => [p.runId, p])),
    unfinishedPhases,
  };
}
