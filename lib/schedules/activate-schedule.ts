import "server-only";
import { createToken } from "@/lib/auth/tokens";
import type { AuthContext } from "@/lib/auth/tokens";
import { createConfiguration, updateConfiguration } from "@/lib/configurations/configurations";
import type { Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { Schedule } from "@/lib/generated/prisma/client";
import { nextSlot } from "@/lib/schedules/cron";
import { readSchedulerConfiguration } from "@/lib/schedules/read-configuration";
import { targetProblem } from "@/lib/schedules/target";
import { type ActivateScheduleInput, SCHEDULER_COMPONENT, type SchedulerConfiguration, type ScheduleState, type UpdateScheduleInput } from "@/lib/schemas/schedules";

type Auth = Pick<AuthContext, "projectId" | "tokenId">;

/** The body checked as activation checks it: the expression, the zone and the target. */
async function checkBody(db: Db, projectId: number, body: unknown): Promise<SchedulerConfiguration> {
  const read = readSchedulerConfiguration(body);
  if (!read.ok) throw read.error;
  const problem = await targetProblem({ db, projectId, target: read.value.target });
  if (problem) throw problem;
  return read.value;
}

async function findSchedulerConfiguration(db: Db, projectId: number, configId: string) {
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId, componentId: SCHEDULER_COMPONENT, branchId: "default", configId } },
  });
  if (!config) {
    throw new ApiError(404, "notFound", `Configuration "${configId.slice(0, 100)}" of component ${SCHEDULER_COMPONENT} was not found in this project.`, "configurationId");
  }
  return config;
}

/**
 * Copies the configuration into its schedule (made, with its own token, on first activation) and
 * sets the next slot: the first one after now. Slots passed while it was disabled are not owed.
 */
async function saveSchedule(options: { db: Db; projectId: number; configurationPk: number; version: number; name: string; body: SchedulerConfiguration; now: Date }): Promise<Schedule> {
  const { db, projectId, body, now } = options;
  const data = {
    configurationVersion: options.version,
    cronTab: body.schedule.cronTab,
    timezone: body.schedule.timezone,
    state: body.schedule.state,
    targetComponentId: body.target.componentId,
    targetConfigurationId: body.target.configurationId,
    targetConfigurationRowIds: body.target.configurationRowIds,
    targetMode: body.target.mode,
    targetTag: body.target.tag || null,
    nextSlotAt: body.schedule.state === "enabled" ? nextSlot({ cronTab: body.schedule.cronTab, timezone: body.schedule.timezone, after: now }) : null,
  };
  return db.$transaction(async (tx) => {
    const existing = await tx.schedule.findUnique({ where: { configurationPk: options.configurationPk } });
    if (existing) {
      // The same expression, still enabled: keep the slot it is waiting for (it may be due right now).
      const keep = existing.state === "enabled" && data.state === "enabled" && existing.cronTab === data.cronTab && existing.timezone === data.timezone;
      return tx.schedule.update({ where: { id: existing.id }, data: { ...data, nextSlotAt: keep ? existing.nextSlotAt : data.nextSlotAt } });
    }
    // The schedule's own token: its jobs show who made them, and revoking it stops them.
    const token = await createToken({ db: tx, projectId, description: `Scheduler: ${options.name}`.slice(0, 200) });
    return tx.schedule.create({ data: { ...data, projectId, configurationPk: options.configurationPk, tokenId: token.id } });
  });
}

/** POST /schedules: `{configurationId}` activates a keboola.scheduler configuration (again); `{name, configuration}` creates one and activates it. */
export async function activateSchedule(options: { db: Db; auth: Auth; input: ActivateScheduleInput; now?: Date }): Promise<{ schedule: Schedule; created: boolean }> {
  const { db, auth, input } = options;
  const now = options.now ?? new Date();
  if (input.configurationId !== undefined) {
    const config = await findSchedulerConfiguration(db, auth.projectId, input.configurationId);
    const body = await checkBody(db, auth.projectId, config.configuration);
    const existed = (await db.schedule.count({ where: { configurationPk: config.pk } })) > 0;
    const schedule = await saveSchedule({ db, projectId: auth.projectId, configurationPk: config.pk, version: config.version, name: config.name, body, now });
    return { schedule, created: !existed };
  }
  // Everything is checked before anything is written: a bad expression leaves no configuration behind.
  const body = await checkBody(db, auth.projectId, input.configuration);
  const created = await createConfiguration({
    db,
    projectId: auth.projectId,
    componentId: SCHEDULER_COMPONENT,
    input: { name: input.name!, description: input.description ?? "", configuration: body as unknown as Record<string, unknown>, isDisabled: false },
  });
  const config = await findSchedulerConfiguration(db, auth.projectId, created.id);
  try {
    const schedule = await saveSchedule({ db, projectId: auth.projectId, configurationPk: config.pk, version: config.version, name: config.name, body, now });
    return { schedule, created: true };
  } catch (error) {
    await db.configuration.delete({ where: { pk: config.pk } }).catch(() => undefined);
    throw error;
  }
}

async function findSchedule(db: Db, projectId: number, id: string) {
  const schedule = /^\d{1,9}$/.test(id) ? await db.schedule.findFirst({ where: { id: Number(id), projectId }, include: { configuration: true } }) : null;
  if (!schedule) throw notFound(`Schedule "${id.slice(0, 40)}"`);
  return schedule;
}

/** PATCH /schedules/{id}: pause, resume, rename or replace the body; the configuration gets a new version and the schedule follows it. */
export async function updateSchedule(options: { db: Db; auth: Auth; id: string; input: UpdateScheduleInput; now?: Date }): Promise<Schedule> {
  const { db, auth, input } = options;
  const now = options.now ?? new Date();
  const schedule = await findSchedule(db, auth.projectId, options.id);
  const stored = (schedule.configuration.configuration ?? {}) as Record<string, unknown>;
  let next: Record<string, unknown> = input.configuration === undefined ? stored : (input.configuration as Record<string, unknown>);
  // Only the state changes: every other key of the stored body stays as it was.
  if (input.state !== undefined) next = withState(next, input.state);
  const body = await checkBody(db, auth.projectId, next);
  const updated = await updateConfiguration({
    db,
    projectId: auth.projectId,
    componentId: SCHEDULER_COMPONENT,
    configId: schedule.configuration.configId,
    input: {
      ...(input.name !== undefined && { name: input.name }),
      configuration: next,
      changeDescription: input.state === "disabled" ? "Schedule paused" : input.state === "enabled" ? "Schedule resumed" : "Schedule changed",
    },
  });
  return saveSchedule({ db, projectId: auth.projectId, configurationPk: schedule.configurationPk, version: updated.version, name: updated.name, body, now });
}

function withState(body: Record<string, unknown>, state: ScheduleState): Record<string, unknown> {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(body.schedule) && isObject(body.parameters) && isObject(body.parameters.schedule)) {
    return { ...body, parameters: { ...body.parameters, schedule: { ...body.parameters.schedule, state } } };
  }
  return { ...body, schedule: { ...(isObject(body.schedule) ? body.schedule : {}), state } };
}

export { findSchedule };
