import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { UNFINISHED_STATUSES } from "@/lib/jobs/state";

// Versions: text that changes whenever the JSON an answer is built from may have changed, each
// one small indexed query. `withAuth({ version })` (lib/api/handler.ts) computes them in the same
// query as the caller, with `caller."projectId"` in scope, and turns them into ETags.
//
// What they rest on: Prisma stamps `updatedAt` on every update of a job; a final job never changes
// again (a trigger refuses it, prisma/migrations/*_job_guards); jobs are inserted `created` and
// never deleted; configurations carry `updatedAt` too. Statuses are summed up as well, because two
// updates within one millisecond leave `updatedAt` alone.

const UNFINISHED = UNFINISHED_STATUSES as readonly string[];

/** A job's subtree (itself included): its size, latest update and statuses. Null: no such job. */
function subtreeVersionSql(parent: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(
    SELECT concat_ws('/', count(c.id), max(c."updatedAt"), md5(string_agg(c.id::text || c.status || coalesce(c."waitReason", ''), ',' ORDER BY c.id)),
             (SELECT count(*) || '.' || coalesce(max(cf."updatedAt")::text, '') FROM "Configuration" cf
               WHERE cf."projectId" = p."projectId" AND cf."componentId" = p.component AND cf."configId" = p.config AND cf."branchId" = p."branchId"))
    FROM "Job" p
    JOIN "Job" c ON c."projectId" = p."projectId" AND c."rootRunId" = p."rootRunId" AND (c.id = p.id OR c."runId" LIKE p."runId" || '.%')
    WHERE ${parent} AND p."projectId" = caller."projectId"
    GROUP BY p.id)`;
}

/** The version of GET /jobs/{id}: the job's subtree and its configuration. Null: no such job. */
export function jobVersionSql(id: string): Prisma.Sql {
  if (!/^\d{1,18}$/.test(id)) return Prisma.sql`NULL`;
  return subtreeVersionSql(Prisma.sql`p.id = ${BigInt(id)}`);
}

/** The configurations of the caller's project (their names are in every job's JSON). */
const configurationsVersionSql = Prisma.sql`(SELECT count(*) || '.' || coalesce(max(cf."updatedAt")::text, '') FROM "Configuration" cf WHERE cf."projectId" = caller."projectId")`;

/**
 * The caller's project's jobs, for a version: the newest id, and `row` of every job that can still
 * change. A new job raises the newest id or joins the unfinished ones; a finishing job leaves them;
 * a final job never changes. Costs the unfinished jobs, read through the (projectId, status) index.
 */
function projectJobsSql(row: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(SELECT max(j.id) FROM "Job" j WHERE j."projectId" = caller."projectId"),
  (SELECT md5(string_agg(${row}, ',' ORDER BY j.id)) FROM "Job" j
    WHERE j."projectId" = caller."projectId" AND j.status = ANY(${UNFINISHED}::text[]))`;
}

/** The version of a project's job lists: its jobs with their statuses and latest updates, and its configurations. */
export const projectJobsVersionSql = Prisma.sql`concat_ws('/',
  ${projectJobsSql(Prisma.sql`j.id::text || j.status || coalesce(j."waitReason", '') || j."updatedAt"::text`)},
  ${configurationsVersionSql})`;

/**
 * The version of a project's job counts: its jobs with their statuses and starts. What a count
 * filters on (lib/jobs/search-jobs.ts jobFiltersSql) changes only with a new job or a status change
 * (a start, a requeue, an end), so a running job's progress, which moves `updatedAt` every few
 * seconds, leaves the counts' version, and their 304s, alone.
 */
export const projectCountsVersionSql = Prisma.sql`concat_ws('/',
  ${projectJobsSql(Prisma.sql`j.id::text || j.status || coalesce(j."startTime"::text, '')`)})`;

/** The children of one run live in its subtree: its version (or "none" while it does not exist). */
export function runChildrenVersionSql(parentRunId: string): Prisma.Sql {
  return Prisma.sql`concat_ws('/', coalesce(${subtreeVersionSql(Prisma.sql`p."runId" = ${parentRunId}`)}, 'none'), ${configurationsVersionSql})`;
}

/** A version computed on its own, outside a request (tests). */
export async function readVersion(options: { db: Db; projectId: number; version: Prisma.Sql }): Promise<string | null> {
  const [row] = await options.db.$queryRaw<{ version: string | null }[]>`
    SELECT (${options.version})::text AS version FROM (SELECT ${options.projectId}::int AS "projectId") caller`;
  return row?.version ?? null;
}

const RUN_ID = /^\d{1,18}(\.\d{1,18})*$/;

/**
 * What a versioned answer rests on, for the poll cache (lib/api/poll-cache.ts): one orchestration
 * (SQL for its root run id, NULL when there is none) or the project's job or event lists.
 */
export type AnswerScope = { run: Prisma.Sql } | "jobs" | "events";

/** A GET's version (SQL, or "answer": a digest of the answer itself) and its scope. */
export type Versioned = { version: Prisma.Sql | "answer"; scope: AnswerScope };

/** What the caller's query computes for a versioned GET (authenticateCaller's `extra` and `root`). */
export function versionQuery(versioned: Versioned): { extra?: Prisma.Sql; root?: Prisma.Sql } {
  return {
    extra: versioned.version === "answer" ? undefined : versioned.version,
    root: typeof versioned.scope === "object" ? versioned.scope.run : undefined,
  };
}

const rootOf = (runId: string) => ({ run: Prisma.sql`${runId.split(".")[0]!}::text` });

/** GET /jobs/{id}: the job's subtree, in its orchestration. */
export function jobVersion(id: string): Versioned {
  if (!/^\d{1,18}$/.test(id)) return { version: Prisma.sql`NULL`, scope: { run: Prisma.sql`NULL` } };
  const root = Prisma.sql`(SELECT j."rootRunId" FROM "Job" j WHERE j.id = ${BigInt(id)} AND j."projectId" = caller."projectId")`;
  return { version: jobVersionSql(id), scope: { run: root } };
}

/** Lists of a project's jobs. */
export const projectJobsVersion: Versioned = { version: projectJobsVersionSql, scope: "jobs" };

/** Counts of a project's jobs. */
export const projectCountsVersion: Versioned = { version: projectCountsVersionSql, scope: "jobs" };

/**
 * GET /api/search/jobs?…: a run's children change only with its subtree; any other list with the
 * project's jobs. A malformed filter gets the project's version (the handler then answers 422).
 */
export function searchJobsVersion(params: URLSearchParams): Versioned {
  const parents = [...params.getAll("parentRunId"), ...params.getAll("parentRunId[]")];
  if (parents.length === 1 && RUN_ID.test(parents[0]!)) return { version: runChildrenVersionSql(parents[0]!), scope: rootOf(parents[0]!) };
  return projectJobsVersion;
}

/** GET /api/v2/storage/events?…: a digest of the answer; a run's log changes only with its orchestration. */
export function eventsVersion(params: URLSearchParams): Versioned {
  const runId = params.get("runId");
  return { version: "answer", scope: runId !== null && RUN_ID.test(runId) && params.getAll("runId").length === 1 ? rootOf(runId) : "events" };
}
