import "server-only";
import type { Db } from "@/lib/db";
import { FINAL_STATUSES, type JobStatus, isFinished, isSuccess } from "@/lib/jobs/state";
import type { JobJson, JobResult } from "@/lib/schemas/jobs";
import type { Prisma } from "@/lib/generated/prisma/client";

const jobInclude = {
  token: { select: { id: true, description: true } },
  project: { select: { id: true, name: true } },
} satisfies Prisma.JobInclude;

type JobRow = Prisma.JobGetPayload<{ include: typeof jobInclude }>;

type SubtreeStats = { jobs: number; credits: number; durationSeconds: number; unfinished: number; children: number };

/** Loads jobs by id and shapes them as the API's job JSON, in the order of `ids`. */
export async function loadJobViews(options: { db: Db; projectId: number; ids: bigint[]; origin: string }): Promise<JobJson[]> {
  const { db, projectId, ids, origin } = options;
  if (ids.length === 0) return [];
  const rows = await db.job.findMany({ where: { projectId, id: { in: ids } }, include: jobInclude });
  const [names, stats] = await Promise.all([configNames(db, projectId, rows), subtreeStats(db, ids)]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const key = configKey(row.component, row.config, row.branchId);
    return [toJobJson(row, { origin, configName: names.get(key) ?? null, stats: stats.get(id.toString()) })];
  });
}

function configKey(component: string, config: string | null, branchId: string): string {
  return `${component}\u0000${config ?? ""}\u0000${branchId}`;
}

async function configNames(db: Db, projectId: number, rows: JobRow[]): Promise<Map<string, string>> {
  const wanted = rows.filter((r) => r.config !== null);
  if (wanted.length === 0) return new Map();
  const configs = await db.configuration.findMany({
    where: { projectId, OR: wanted.map((r) => ({ componentId: r.component, configId: r.config!, branchId: r.branchId })) },
    select: { componentId: true, configId: true, branchId: true, name: true },
  });
  return new Map(configs.map((c) => [configKey(c.componentId, c.configId, c.branchId), c.name]));
}

/** Credits, processing time and counts over each job's whole subtree (itself included), in one query. */
async function subtreeStats(db: Db, ids: bigint[]): Promise<Map<string, SubtreeStats>> {
  const rows = await db.$queryRaw<
    { id: bigint; jobs: number; credits: number; duration: number; unfinished: number; children: number }[]
  >`
    SELECT p.id,
           count(c.id)::int AS jobs,
           coalesce(sum(c.credits), 0)::float8 AS credits,
           coalesce(sum(c."durationSeconds"), 0)::int AS duration,
           (count(c.id) FILTER (WHERE NOT (c.status = ANY(${FINAL_STATUSES as readonly string[]}::text[]))))::int AS unfinished,
           (count(c.id) FILTER (WHERE c."parentRunId" = p."runId"))::int AS children
    FROM "Job" p
    JOIN "Job" c ON c."projectId" = p."projectId" AND c."rootRunId" = p."rootRunId"
                 AND (c.id = p.id OR c."runId" LIKE p."runId" || '.%')
    WHERE p.id = ANY(${ids}::bigint[])
    GROUP BY p.id`;
  return new Map(
    rows.map((r) => [
      r.id.toString(),
      { jobs: r.jobs, credits: r.credits, durationSeconds: r.duration, unfinished: r.unfinished, children: r.children },
    ]),
  );
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
