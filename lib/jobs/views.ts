import "server-only";
import type { Db } from "@/lib/db";
import { FINAL_STATUSES, type JobStatus, isFinished, isSuccess } from "@/lib/jobs/state";
import type { JobJson, JobResult } from "@/lib/schemas/jobs";
import type { Job } from "@/lib/generated/prisma/client";

type JobRow = Job & { token: { id: number; description: string }; project: { id: number; name: string } };

type SubtreeStats = { jobs: number; credits: number; durationSeconds: number; unfinished: number; children: number };

type ViewRow = Job & { tokenDescription: string; projectName: string; configName: string | null } & {
  s_jobs: number;
  s_credits: number;
  s_duration: number;
  s_unfinished: number;
  s_children: number;
};

/**
 * Loads jobs by id and shapes them as the API's job JSON, in the order of `ids`: one query brings
 * each job with its creator, project, configuration name, and credits, processing time and counts
 * rolled up over its whole subtree (itself included).
 */
export async function loadJobViews(options: { db: Db; projectId: number; ids: bigint[]; origin: string }): Promise<JobJson[]> {
  const { db, projectId, ids, origin } = options;
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<ViewRow[]>`
    SELECT j.*, t.description AS "tokenDescription", p.name AS "projectName", c.name AS "configName",
           s.jobs AS s_jobs, s.credits AS s_credits, s.duration AS s_duration, s.unfinished AS s_unfinished, s.children AS s_children
    FROM "Job" j
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
    WHERE j."projectId" = ${projectId} AND j.id = ANY(${ids}::bigint[])`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const job: JobRow = { ...row, token: { id: row.tokenId, description: row.tokenDescription }, project: { id: row.projectId, name: row.projectName } };
    const stats = { jobs: row.s_jobs, credits: row.s_credits, durationSeconds: row.s_duration, unfinished: row.s_unfinished, children: row.s_children };
    return [toJobJson(job, { origin, configName: row.configName, stats })];
  });
}

const WAIT_MESSAGES: Record<string, string> = {
  configLock: "Another job of the same configuration is processing.",
  projectLimit: "The project already runs as many jobs as it may at once.",
  phase: "An earlier phase of the orchestration has not finished yet.",
  parallelism: "The container already runs as many children as its parallelism allows.",
};

export function toJobJson(row: JobRow, extra: { origin: string; configName: string | null; stats?: SubtreeStats }): JobJson {
  const status = row.status as JobStatus;
  const own = { jobs: 1, credits: row.credits, durationSeconds: row.durationSeconds ?? 0, unfinished: isFinished(status) ? 0 : 1, children: 0 };
  const stats = extra.stats ?? own;
  return {
    id: row.id.toString(),
    runId: row.runId,
    parentRunId: row.parentRunId,
    project: { id: String(row.project.id), name: row.project.name },
    token: { id: String(row.token.id), description: row.token.description },
    status,
    desiredStatus: row.desiredStatus as JobJson["desiredStatus"],
    mode: row.mode as JobJson["mode"],
    component: row.component,
    config: row.config,
    configData: (row.configData as Record<string, unknown> | null) ?? null,
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
    url: `${extra.origin}/api/jobs/${row.id}`,
    behavior: { onError: row.onError },
    parallelism: row.parallelism,
    type: row.type as JobJson["type"],
    configName: extra.configName,
    credits: row.credits,
    waiting:
      status === "waiting" && row.waitReason
        ? {
            reason: row.waitReason as NonNullable<JobJson["waiting"]>["reason"],
            message: row.waitDetail ?? WAIT_MESSAGES[row.waitReason] ?? row.waitReason,
          }
        : null,
    childrenCount: stats.children,
    subtree: { jobs: stats.jobs, credits: stats.credits, durationSeconds: stats.durationSeconds, unfinished: stats.unfinished },
  };
}
