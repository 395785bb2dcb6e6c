import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { FINAL_STATUSES, type JobStatus, isFinished, isSuccess } from "@/lib/jobs/state";
import type { JobJson, JobResult } from "@/lib/schemas/jobs";
import type { Job } from "@/lib/generated/prisma/client";
import { maskSecrets } from "@/lib/secrets/secrets";

/** The columns of a job the JSON shows; the engine's bookkeeping stays in the database. */
type ViewColumns = Omit<Job, "rootRunId" | "phase" | "workerId" | "leaseExpiresAt" | "heartbeatAt" | "attempt" | "childrenSpawnedAt" | "updatedAt">;

export type JobViewRow = ViewColumns & {
  tokenDescription: string;
  projectName: string;
  configName: string | null;
  s_jobs: number;
  s_credits: number;
  s_duration: number;
  s_unfinished: number;
  s_children: number;
  /** How many ids the page query found (a page asks for one more than it shows). */
  pageRows: number;
};

/**
 * One statement: the jobs whose ids `page` selects (a SELECT of `id`), each with its creator,
 * project, configuration name, and credits, processing time and counts rolled up over its whole
 * subtree (itself included); in `sort` order (ties by id), at most `limit` of them.
 */
export function jobViewsQuery(options: {
  projectId: number;
  page: Prisma.Sql;
  sort?: { column: string; desc: boolean; nullsLast: boolean };
  limit?: number;
}): Prisma.Sql {
  const { sort } = options;
  const dir = sort?.desc ? "DESC" : "ASC";
  const order = sort
    ? Prisma.raw(`ORDER BY ${sort.column === "id" ? "" : `j."${sort.column}" ${dir}${sort.nullsLast ? " NULLS LAST" : ""}, `}j.id ${dir}`)
    : Prisma.empty;
  return Prisma.sql`
    WITH page AS MATERIALIZED (${options.page})
    SELECT j.id, j."runId", j."parentRunId", j."projectId", j."tokenId", j.status, j."desiredStatus", j.mode, j.component, j.config,
           j."configData", j."configRowIds", j.tag, j."branchId", j."createdTime", j."startTime", j."endTime", j."durationSeconds",
           j.result, j."usageData", j."inputTablesBytesSum", j."outputTablesBytesSum", j."backendSize", j."onError", j.parallelism,
           j.type, j.credits, j."waitReason", j."waitDetail",
           t.description AS "tokenDescription", p.name AS "projectName", c.name AS "configName",
           s.jobs AS s_jobs, s.credits AS s_credits, s.duration AS s_duration, s.unfinished AS s_unfinished, s.children AS s_children,
           (SELECT count(*) FROM page)::int AS "pageRows"
    FROM page
    JOIN "Job" j ON j.id = page.id
    JOIN "Token" t ON t.id = j."tokenId"
    JOIN "Project" p ON p.id = j."projectId"
    LEFT JOIN "Configuration" c ON c."projectId" = j."projectId" AND c."componentId" = j.component
                                AND c."branchId" = j."branchId" AND c."configId" = j.config
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS jobs,
             coalesce(sum(d.credits), 0)::float8 AS credits,
             coalesce(sum(d."durationSeconds"), 0)::int AS duration,
             (count(*) FILTER (WHERE NOT (d.status = ANY(${FINAL_STATUSES as readonly string[]}::text[]))))::int AS unfinished,
             (count(*) FILTER (WHERE d."parentRunId" = j."runId"))::int AS children
      FROM "Job" d
      WHERE d."projectId" = j."projectId" AND d."rootRunId" = j."rootRunId" AND (d.id = j.id OR d."runId" LIKE j."runId" || '.%')
    ) s
    WHERE j."projectId" = ${options.projectId}
    ${order} ${options.limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${options.limit}`}`;
}

/** Loads jobs by id and shapes them as the API's job JSON, in the order of `ids` (one statement). */
export async function loadJobViews(options: { db: Db; projectId: number; ids: bigint[]; origin: string }): Promise<JobJson[]> {
  const { db, projectId, ids, origin } = options;
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<JobViewRow[]>(jobViewsQuery({ projectId, page: Prisma.sql`SELECT unnest(${ids}::bigint[]) AS id` }));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return toJobViews(ids.flatMap((id) => byId.get(id) ?? []), origin);
}

export function toJobViews(rows: JobViewRow[], origin: string): JobJson[] {
  return rows.map((row) => toJobJson(row, origin));
}

const WAIT_MESSAGES: Record<string, string> = {
  configLock: "Another job of the same configuration is processing.",
  projectLimit: "The project already runs as many jobs as it may at once.",
  phase: "An earlier phase of the orchestration has not finished yet.",
  parallelism: "The container already runs as many children as its parallelism allows.",
};

/**
 * One row as the job JSON. Reads the row as it comes from the driver, without copying it first:
 * a spread plus two keys made each row a slow dictionary object (about 1 ms per page of 50).
 */
export function toJobJson(row: Omit<JobViewRow, "pageRows">, origin: string): JobJson {
  const status = row.status as JobStatus;
  return {
    id: row.id.toString(),
    runId: row.runId,
    parentRunId: row.parentRunId,
    project: { id: String(row.projectId), name: row.projectName },
    token: { id: String(row.tokenId), description: row.tokenDescription },
    status,
    desiredStatus: row.desiredStatus as JobJson["desiredStatus"],
    mode: row.mode as JobJson["mode"],
    component: row.component,
    config: row.config,
    configData: row.configData ? maskSecrets(row.configData as Record<string, unknown>) : null,
    configRowIds: row.configRowIds,
    tag: row.tag,
    branchId: row.branchId,
    createdTime: row.createdTime.toISOString(),
    startTime: row.startTime?.toISOString() ?? null,
    endTime: row.endTime?.toISOString() ?? null,
    durationSeconds: row.durationSeconds,
    result: (row.result as JobResult | null) ?? {},
    usageData: (row.usageData as Record<string, unknown> | null) ?? {},
    metrics: {
      storage: {
        inputTablesBytesSum: Number(row.inputTablesBytesSum),
        outputTablesBytesSum: Number(row.outputTablesBytesSum),
      },
      backend: { size: row.backendSize },
    },
    isFinished: isFinished(status),
    isSuccess: isSuccess(status),
    url: `${origin}/api/jobs/${row.id}`,
    behavior: { onError: row.onError },
    parallelism: row.parallelism,
    type: row.type as JobJson["type"],
    configName: row.configName,
    credits: row.credits,
    waiting:
      status === "waiting" && row.waitReason
        ? {
            reason: row.waitReason as NonNullable<JobJson["waiting"]>["reason"],
            message: row.waitDetail ?? WAIT_MESSAGES[row.waitReason] ?? row.waitReason,
          }
        : null,
    childrenCount: row.s_children,
    subtree: { jobs: row.s_jobs, credits: row.s_credits, durationSeconds: row.s_duration, unfinished: row.s_unfinished },
  };
}
