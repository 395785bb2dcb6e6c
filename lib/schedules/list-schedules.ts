import "server-only";
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { findSchedule } from "@/lib/schedules/activate-schedule";
import { describeCron, nextSlots } from "@/lib/schedules/cron";
import { targetProblem } from "@/lib/schedules/target";
import type { ScheduleJson } from "@/lib/schemas/schedules";
import type { JOB_MODES } from "@/lib/schemas/jobs";

const EXECUTIONS = 20;
const include = {
  configuration: { select: { configId: true, name: true, createdAt: true } },
  token: { select: { revokedAt: true } },
  executions: { orderBy: { slotTime: "desc" }, take: EXECUTIONS },
} satisfies Prisma.ScheduleInclude;
type Row = Prisma.ScheduleGetPayload<{ include: typeof include }>;

/** Keboola's schedule JSON, with Jobdeck's additions (name, target name, broken, the cronTab read for people, next runs). */
async function toScheduleJson(db: Db, s: Row, now: Date): Promise<ScheduleJson> {
  const target = {
    componentId: s.targetComponentId,
    configurationId: s.targetConfigurationId,
    configurationRowIds: s.targetConfigurationRowIds,
    mode: s.targetMode as (typeof JOB_MODES)[number],
    tag: s.targetTag ?? "",
  };
  const problem = s.token.revokedAt ? "The schedule's token was revoked; activate the schedule again." : (await targetProblem({ db, projectId: s.projectId, target }))?.message;
  const targetConfig = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId: s.projectId, componentId: s.targetComponentId, branchId: "default", configId: s.targetConfigurationId } },
    select: { name: true },
  });
  return {
    id: String(s.id),
    tokenId: String(s.tokenId),
    configurationId: s.configuration.configId,
    configurationVersionId: String(s.configurationVersion),
    schedule: { cronTab: s.cronTab, timezone: s.timezone, state: s.state === "disabled" ? "disabled" : "enabled" },
    target,
    executions: s.executions.map((e) => ({
      jobId: e.jobId?.toString() ?? null,
      executionTime: e.executionTime.toISOString(),
      slotTime: e.slotTime.toISOString(),
      status: e.status === "failed" ? "failed" : "created",
      reason: e.reason,
      missedSlots: e.missedSlots,
    })),
    name: s.configuration.name,
    targetName: targetConfig?.name ?? null,
    broken: problem ? { reason: problem } : null,
    cronDescription: describeCron(s.cronTab),
    nextRuns: s.state === "enabled" ? nextSlots({ cronTab: s.cronTab, timezone: s.timezone, after: new Date((s.nextSlotAt ?? now).getTime() - 1), count: 5 }).map((d) => d.toISOString()) : [],
    created: s.createdAt.toISOString(),
  };
}

/** GET /schedules, optionally of one target configuration (Keboola's filter) or of one token. */
export async function listSchedules(options: { db: Db; projectId: number; componentId?: string; configurationId?: string; tokenId?: string; now?: Date }): Promise<ScheduleJson[]> {
  const { db } = options;
  const rows = await db.schedule.findMany({
    where: {
      projectId: options.projectId,
      ...(options.componentId !== undefined && { targetComponentId: options.componentId }),
      ...(options.configurationId !== undefined && { targetConfigurationId: options.configurationId }),
      ...(options.tokenId !== undefined && { tokenId: Number(options.tokenId) }),
    },
    include,
    orderBy: { id: "asc" },
  });
  const now = options.now ?? new Date();
  return Promise.all(rows.map((r) => toScheduleJson(db, r, now)));
}

export async function getSchedule(options: { db: Db; projectId: number; id: string; now?: Date }): Promise<ScheduleJson> {
  const found = await findSchedule(options.db, options.projectId, options.id);
  const row = await options.db.schedule.findUniqueOrThrow({ where: { id: found.id }, include });
  return toScheduleJson(options.db, row, options.now ?? new Date());
}
