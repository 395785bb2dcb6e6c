import "server-only";
import type { Db, DbClient } from "@/lib/db";
import { type Job, Prisma } from "@/lib/generated/prisma/client";
import { type ParentFacts, type ProjectFacts, type QueuedJob, type RunningJob, TYPES_COUNTED_TOWARD_LIMIT, countsTowardProjectLimit, decide } from "@/lib/jobs/scheduler";
import { FINAL_STATUSES, movesFor, statusesAllowing } from "@/lib/jobs/state";

// Advisory-lock namespaces (first key of pg_try_advisory_xact_lock(int, int)).
export const LOCK_PROJECT_SCHEDULING = 7301;

const QUEUED = statusesAllowing("start");
const HOLDING_A_SLOT = ["processing", "terminating"];
const SCAN_LIMIT = 1000;
// Queued rows looked at per project and claim: enough to see past a few blocked jobs.
const lookahead = (want: number) => want + Math.max(50, want);

/**
 * Claims up to `slots` runnable jobs for a worker. Decisions are made per project under a
 * transaction-scoped advisory lock, so two workers can never both take the last free slot of a
 * project or start two jobs of one configuration; a project another worker is deciding for is
 * skipped at first (the project-level equivalent of SKIP LOCKED), then waited for briefly if slots
 * are still free, and the queued rows themselves are taken with FOR UPDATE SKIP LOCKED. Jobs that
 * may not run yet are marked `waiting` with the reason. Per project the claim costs five round
 * trips whatever the number of jobs: BEGIN, the lock, the facts, one statement that starts,
 * holds and writes the events, COMMIT.
 */
export async function claimJobs(options: {
  db: Db;
  workerId: string;
  slots: number;
  leaseMs: number;
  now?: () => Date;
  /** How long to wait for a project's lock that another worker holds (after trying the others). */
  lockWaitMs?: number;
  /** Only this project's jobs (tests racing in one project of a shared database). */
  projectId?: number;
}): Promise<{ jobs: Job[]; contended: boolean }> {
  const { db } = options;
  if (options.slots <= 0) return { jobs: [], contended: false };
  const scan = await db.$queryRaw<{ projectId: number }[]>`
    SELECT "projectId" FROM "Job" WHERE status = ANY(${QUEUED}::text[])
      ${options.projectId === undefined ? Prisma.empty : Prisma.sql`AND "projectId" = ${options.projectId}`}
    ORDER BY id LIMIT ${SCAN_LIMIT}`;
  const projects = [...new Set(scan.map((r) => r.projectId))];
  const claimed: Job[] = [];
  const busy: number[] = [];
  const lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  let contended = false;
  for (const [index, projectId] of projects.entries()) {
    const want = options.slots - claimed.length;
    if (want <= 0) break;
    // The last project and none skipped: wait for its lock in this transaction rather than a second one.
    const waitMs = index === projects.length - 1 && busy.length === 0 ? lockWaitMs : 0;
    const jobs = await claimInProjectOrBusy(db, { ...options, projectId, want, waitMs });
    if (jobs !== null) claimed.push(...jobs);
    else if (waitMs > 0) contended = true;
    else busy.push(projectId);
  }
  for (const projectId of busy) {
    const want = options.slots - claimed.length;
    if (want <= 0) break;
    const jobs = lockWaitMs > 0 ? await claimInProjectOrBusy(db, { ...options, projectId, want, waitMs: lockWaitMs }) : null;
    if (jobs === null) contended = true;
    else claimed.push(...jobs);
  }
  // `contended`: a project's lock stayed busy; worth asking again at once.
  return { jobs: claimed, contended };
}

// Long enough for another worker's claim (a few round trips), short enough not to stall a worker.
const LOCK_WAIT_MS = 250;

async function claimInProjectOrBusy(db: Db, options: ClaimOptions): Promise<Job[] | null> {
  try {
    return await db.$transaction((tx) => claimInProject(tx, options));
  } catch (error) {
    if (options.waitMs > 0 && isLockTimeout(error)) return null;
    throw error;
  }
}

function isLockTimeout(error: unknown): boolean {
  // 55P03 lock_not_available, raised when lock_timeout runs out.
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}` : String(error);
  return /55P03|lock timeout/i.test(text);
}

type ClaimOptions = { projectId: number; want: number; workerId: string; leaseMs: number; now?: () => Date; waitMs: number };

type QueuedRow = QueuedJob & { status: string; waitReason: string | null; waitDetail: string | null; runId: string };

async function claimInProject(tx: DbClient, options: ClaimOptions): Promise<Job[] | null> {
  const { projectId } = options;
  const [lock] = await tx.$queryRaw<[{ ok: boolean }]>`SELECT pg_try_advisory_xact_lock(${LOCK_PROJECT_SCHEDULING}::int, ${projectId}::int) AS ok`;
  if (!lock.ok) {
    if (options.waitMs <= 0) return null;
    // lock_timeout bounds the wait (the CTE runs first); running out aborts the transaction.
    await tx.$executeRaw`
      WITH t AS MATERIALIZED (SELECT set_config('lock_timeout', ${`${Math.ceil(options.waitMs)}ms`}, true))
      SELECT pg_advisory_xact_lock(${LOCK_PROJECT_SCHEDULING}::int, ${projectId}::int) FROM t`;
  }

  // Read only after the lock is held: this statement's snapshot then sees every earlier decision.
  const { queued, facts } = await loadQueuedAndFacts(tx, projectId, lookahead(options.want));
  if (queued.length === 0) return [];

  const start: bigint[] = [];
  const hold: { job: QueuedRow; reason: string; detail: string }[] = [];
  for (const job of queued) {
    if (start.length >= options.want) break;
    const decision = decide(job, facts);
    if (decision.run) {
      start.push(job.id);
      // Later decisions in this batch see this job as running.
      facts.running.push({ ...job, parentType: job.parentRunId ? (facts.parents.get(job.parentRunId)?.type ?? null) : null });
      if (countsTowardProjectLimit(job.type)) facts.processing++;
    } else if (job.status !== "waiting" || job.waitReason !== decision.reason || job.waitDetail !== decision.detail) {
      hold.push({ job, reason: decision.reason, detail: decision.detail });
    }
  }
  if (start.length === 0 && hold.length === 0) return [];

  const now = options.now?.() ?? new Date();
  const starting = movesFor("start");
  const waiting = movesFor("wait");
  const announced = hold.filter((h) => h.job.waitReason !== h.reason);
  // One statement: conditional updates (WHERE status = a status the move is legal from) and the
  // events of the jobs that moved. Standard jobs log their start; containers log their children.
  const started = await tx.$queryRaw<Job[]>`
    WITH start_moves AS (SELECT * FROM unnest(${starting.from}::text[], ${starting.to}::text[]) AS m("from", "to")),
    started AS (
      UPDATE "Job" j SET status = m."to", "startTime" = ${now}, "workerId" = ${options.workerId}, "heartbeatAt" = ${now},
             "leaseExpiresAt" = ${new Date(now.getTime() + options.leaseMs)}, attempt = j.attempt + 1,
             "waitReason" = NULL, "waitDetail" = NULL, "updatedAt" = ${now}
      FROM start_moves m
      WHERE j.id = ANY(${start}::bigint[]) AND j.status = m."from"
      RETURNING j.*),
    started_events AS (
      INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, params, created)
      SELECT s."projectId", s.id, s."runId", 'job.started', s.component,
             format('Job %s started on worker %s (attempt %s)', s.id, ${options.workerId}::text, s.attempt), 'info',
             jsonb_build_object('workerId', ${options.workerId}::text, 'attempt', s.attempt), ${now}
      FROM started s WHERE s.type = 'standard'),
    held AS (
      UPDATE "Job" j SET status = m."to", "waitReason" = h.reason, "waitDetail" = h.detail, "updatedAt" = ${now}
      FROM unnest(${hold.map((h) => h.job.id)}::bigint[], ${hold.map((h) => h.job.status)}::text[],
                  ${hold.map((h) => h.reason)}::text[], ${hold.map((h) => h.detail)}::text[]) AS h(id, "from", reason, detail)
      JOIN unnest(${waiting.from}::text[], ${waiting.to}::text[]) AS m("from", "to") ON m."from" = h."from"
      WHERE j.id = h.id AND j.status = h."from"
      RETURNING j.id, j."runId", j.component, j."waitDetail"),
    held_events AS (
      INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, type, params, created)
      SELECT ${projectId}, w.id, w."runId", 'job.waiting', w.component, 'Waiting: ' || w."waitDetail", 'info',
             jsonb_build_object('reason', a.reason), ${now}
      FROM held w JOIN unnest(${announced.map((h) => h.job.id)}::bigint[], ${announced.map((h) => h.reason)}::text[]) AS a(id, reason) ON a.id = w.id)
    SELECT * FROM started ORDER BY id`;
  return started;
}

/**
 * The queued rows (locked, oldest first) and what the scheduler needs to decide on them, in one
 * statement: the project limit, how many jobs count toward it, the running jobs that share a
 * configuration or a parent with a queued one (not all of them: a busy project can hold hundreds),
 * the queued jobs' parents and the unfinished phases of their orchestrations.
 */
async function loadQueuedAndFacts(tx: DbClient, projectId: number, limit: number): Promise<{ queued: QueuedRow[]; facts: ProjectFacts }> {
  type Row = {
    maxProcessingJobs: number;
    processing: number;
    queued: (Omit<QueuedRow, "id"> & { id: string })[];
    running: (Omit<RunningJob, "id"> & { id: string })[];
    parents: ParentFacts[];
    phases: { parentRunId: string; phase: number }[];
  };
  const [row] = await tx.$queryRaw<Row[]>`
    WITH queued AS MATERIALIZED (
      SELECT j.id, j."runId", j.type, j.component, coalesce(c.type, 'other') AS "componentType", j.config, j."branchId",
             j."tokenId", j.phase, j."parentRunId", j.status, j."waitReason", j."waitDetail"
      FROM "Job" j LEFT JOIN "Component" c ON c.id = j.component
      WHERE j."projectId" = ${projectId} AND j.status = ANY(${QUEUED}::text[])
      ORDER BY j.id LIMIT ${limit}
      FOR UPDATE OF j SKIP LOCKED)
    SELECT
      (SELECT "maxProcessingJobs" FROM "Project" WHERE id = ${projectId}) AS "maxProcessingJobs",
      (SELECT count(*)::int FROM "Job" r
       WHERE r."projectId" = ${projectId} AND r.status = ANY(${HOLDING_A_SLOT}::text[]) AND r.type = ANY(${TYPES_COUNTED_TOWARD_LIMIT}::text[])) AS processing,
      (SELECT coalesce(json_agg(json_build_object(
          'id', q.id::text, 'runId', q."runId", 'type', q.type, 'component', q.component, 'componentType', q."componentType",
          'config', q.config, 'branchId', q."branchId", 'tokenId', q."tokenId", 'phase', q.phase, 'parentRunId', q."parentRunId",
          'status', q.status, 'waitReason', q."waitReason", 'waitDetail', q."waitDetail") ORDER BY q.id), '[]'::json)
       FROM queued q) AS queued,
      (SELECT coalesce(json_agg(json_build_object(
          'id', r.id::text, 'type', r.type, 'component', r.component, 'config', r.config, 'branchId', r."branchId",
          'tokenId', r."tokenId", 'parentRunId', r."parentRunId", 'parentType', p.type)), '[]'::json)
       FROM "Job" r LEFT JOIN "Job" p ON p."projectId" = r."projectId" AND p."runId" = r."parentRunId"
       WHERE r."projectId" = ${projectId} AND r.status = ANY(${HOLDING_A_SLOT}::text[])
         AND ((r.config IS NOT NULL AND (r.component, r.config, r."branchId") IN (SELECT component, config, "branchId" FROM queued WHERE config IS NOT NULL))
              OR r."parentRunId" IN (SELECT "parentRunId" FROM queued WHERE "parentRunId" IS NOT NULL))) AS running,
      (SELECT coalesce(json_agg(json_build_object('runId', p."runId", 'type', p.type, 'status', p.status, 'parallelism', p.parallelism)), '[]'::json)
       FROM "Job" p
       WHERE p."projectId" = ${projectId} AND p."runId" IN (SELECT "parentRunId" FROM queued WHERE "parentRunId" IS NOT NULL)) AS parents,
      (SELECT coalesce(json_agg(json_build_object('parentRunId', ph."parentRunId", 'phase', ph.phase)), '[]'::json)
       FROM "Job" ph
       WHERE ph."projectId" = ${projectId} AND ph."parentRunId" IN (SELECT "parentRunId" FROM queued WHERE type = 'phaseContainer')
         AND ph.type = 'phaseContainer' AND ph.phase IS NOT NULL
         AND NOT (ph.status = ANY(${FINAL_STATUSES as readonly string[]}::text[]))) AS phases`;
  if (!row) throw new Error(`Project ${projectId} not found`);
  const unfinishedPhases = new Map<string, number[]>();
  for (const p of row.phases) unfinishedPhases.set(p.parentRunId, [...(unfinishedPhases.get(p.parentRunId) ?? []), p.phase]);
  return {
    queued: row.queued.map((q) => ({ ...q, id: BigInt(q.id) })),
    facts: {
      maxProcessingJobs: row.maxProcessingJobs,
      processing: row.processing,
      running: row.running.map((r) => ({ ...r, id: BigInt(r.id) })),
      parents: new Map(row.parents.map((p) => [p.runId, p])),
      unfinishedPhases,
    },
  };
}
