import "server-only";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db, DbClient } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { Trigger } from "@/lib/generated/prisma/client";
import { createJob } from "@/lib/jobs/create-job";
import { publishWork } from "@/lib/jobs/kill-signal";
import { targetProblem } from "@/lib/schedules/target";
import type { CreateTriggerInput, TriggerJson, UpdateTriggerInput } from "@/lib/schemas/triggers";

export function triggerJson(trigger: Trigger): TriggerJson {
  return {
    id: String(trigger.id),
    runWithTokenId: trigger.runWithTokenId,
    component: trigger.component,
    configurationId: trigger.configurationId,
    lastRun: trigger.lastRun?.toISOString() ?? null,
    creator: { tokenId: trigger.creatorTokenId ?? 0, tokenDescription: trigger.creatorDescription },
    coolDownPeriodMinutes: trigger.coolDownPeriodMinutes,
    tables: trigger.tableIds.map((tableId) => ({ tableId })),
    created: trigger.createdAt.toISOString(),
  };
}

/** Why a trigger with these settings could not run, as the 4xx its create or update answers. */
async function settingsProblem(db: DbClient, projectId: number, t: Pick<Trigger, "runWithTokenId" | "component" | "configurationId" | "tableIds">): Promise<ApiError | null> {
  const token = await db.token.findFirst({ where: { id: t.runWithTokenId, projectId }, select: { revokedAt: true, permission: true } });
  if (!token) return new ApiError(404, "notFound", `Token ${t.runWithTokenId} was not found in this project.`, "runWithTokenId");
  if (token.revokedAt) return new ApiError(422, "invalidInput", `Token ${t.runWithTokenId} is revoked; a trigger runs its jobs with a valid token.`, "runWithTokenId");
  if (token.permission !== "manage") return new ApiError(422, "invalidInput", `Token ${t.runWithTokenId} is read-only and cannot run jobs.`, "runWithTokenId");
  const problem = await targetProblem({
    db,
    projectId,
    target: { componentId: t.component, configurationId: t.configurationId, configurationRowIds: [], mode: "run" },
    fields: { componentId: "component", configurationId: "configurationId", mode: "configurationId" },
  });
  if (problem) return problem;
  // A firing trigger passes no tables: the firing query has just seen each of them loaded.
  if (t.tableIds.length === 0) return null;
  const found = await db.storageTable.findMany({ where: { projectId, tableId: { in: t.tableIds } }, select: { tableId: true } });
  const known = new Set(found.map((f) => f.tableId));
  const index = t.tableIds.findIndex((id) => !known.has(id));
  if (index >= 0) return new ApiError(404, "notFound", `Table "${t.tableIds[index]}" was not found.`, `tableIds.${index}`);
  return null;
}

export async function listTriggers(options: { db: DbClient; projectId: number }): Promise<TriggerJson[]> {
  const triggers = await options.db.trigger.findMany({ where: { projectId: options.projectId }, orderBy: { id: "asc" } });
  return triggers.map(triggerJson);
}

async function findTrigger(db: DbClient, projectId: number, id: string): Promise<Trigger> {
  const n = /^\d{1,9}$/.test(id) ? Number(id) : null;
  const trigger = n === null ? null : await db.trigger.findFirst({ where: { id: n, projectId } });
  if (!trigger) throw notFound(`Trigger "${id.slice(0, 100)}"`);
  return trigger;
}

export async function getTrigger(options: { db: DbClient; projectId: number; id: string }): Promise<TriggerJson> {
  return triggerJson(await findTrigger(options.db, options.projectId, options.id));
}

export async function createTrigger(options: { db: Db; auth: AuthContext; input: CreateTriggerInput }): Promise<TriggerJson> {
  const { db, auth, input } = options;
  const tableIds = [...new Set(input.tableIds)];
  const problem = await settingsProblem(db, auth.projectId, { ...input, tableIds });
  if (problem) throw problem;
  const trigger = await db.trigger.create({
    data: { ...input, tableIds, projectId: auth.projectId, creatorTokenId: auth.tokenId, creatorDescription: auth.tokenDescription },
  });
  return triggerJson(trigger);
}

export async function updateTrigger(options: { db: Db; projectId: number; id: string; input: UpdateTriggerInput }): Promise<TriggerJson> {
  const { db, projectId, input } = options;
  const current = await findTrigger(db, projectId, options.id);
  const next = { ...current, ...input, ...(input.tableIds && { tableIds: [...new Set(input.tableIds)] }) };
  const problem = await settingsProblem(db, projectId, next);
  if (problem) throw problem;
  const { runWithTokenId, component, configurationId, coolDownPeriodMinutes, tableIds } = next;
  return triggerJson(await db.trigger.update({ where: { id: current.id }, data: { runWithTokenId, component, configurationId, coolDownPeriodMinutes, tableIds } }));
}

export async function deleteTrigger(options: { db: Db; projectId: number; id: string }): Promise<void> {
  const trigger = await findTrigger(options.db, options.projectId, options.id);
  await options.db.trigger.delete({ where: { id: trigger.id } });
}

export type TriggerOutcome = { triggerId: number; jobId: bigint | null; reason: string | null };

/**
 * Fires every trigger that is due: each table it watches loaded since its last run (or since it was
 * made) and its cool-down over. Each in its own transaction, the trigger row locked `FOR UPDATE SKIP
 * LOCKED` and its `lastRun` moved in the same transaction as the job is made, so however many
 * processes call this, one round of loads makes one job. A trigger whose job is refused (its token
 * revoked, its configuration deleted) still moves `lastRun`: it waits for the next loads instead of
 * retrying every tick, and the refusal is in the outcome (the scheduler logs it).
 */
export async function runDueTriggers(options: { db: Db; now?: Date; limit?: number }): Promise<TriggerOutcome[]> {
  const { db } = options;
  const limit = options.limit ?? 200;
  const outcomes: TriggerOutcome[] = [];
  const seen: number[] = [0];
  while (seen.length <= limit) {
    const now = options.now ?? new Date();
    const outcome = await db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: number }[]>`
        SELECT t.id FROM "Trigger" t
        WHERE NOT (t.id = ANY(${seen}::int[]))
          AND (t."lastRun" IS NULL OR t."lastRun" + make_interval(mins => t."coolDownPeriodMinutes") <= ${now})
          AND cardinality(t."tableIds") > 0
          AND NOT EXISTS (
            SELECT 1 FROM unnest(t."tableIds") AS watched("tableId")
            LEFT JOIN "StorageTable" s ON s."projectId" = t."projectId" AND s."tableId" = watched."tableId"
            WHERE s."lastImportDate" IS NULL OR s."lastImportDate" <= COALESCE(t."lastRun", t."createdAt"))
        ORDER BY t.id LIMIT 1
        FOR UPDATE OF t SKIP LOCKED`;
      if (!row) return null;
      seen.push(row.id);
      const trigger = await tx.trigger.findUniqueOrThrow({ where: { id: row.id } });
      await tx.trigger.update({ where: { id: trigger.id }, data: { lastRun: now } });
      const problem = await settingsProblem(tx, trigger.projectId, { ...trigger, tableIds: [] });
      if (problem) return { triggerId: trigger.id, jobId: null, reason: problem.message };
      try {
        const job = await createJob({ db: tx, inTransaction: true, auth: { projectId: trigger.projectId, tokenId: trigger.runWithTokenId }, input: { component: trigger.component, config: trigger.configurationId, mode: "run" }, now });
        return { triggerId: trigger.id, jobId: job.id, reason: null };
      } catch (error) {
        // A refusal (the same ones POST /jobs answers) is the outcome; anything else rolls back and is retried.
        if (!(error instanceof ApiError)) throw error;
        return { triggerId: trigger.id, jobId: null, reason: error.message };
      }
    });
    if (outcome === null) break;
    outcomes.push(outcome);
  }
  if (outcomes.some((o) => o.jobId !== null)) await publishWork(db).catch(() => undefined);
  return outcomes;
}
