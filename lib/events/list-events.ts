import "server-only";
import type { Db } from "@/lib/db";
import { type JobEvent, Prisma } from "@/lib/generated/prisma/client";
import type { EventJson, ListEventsInput } from "@/lib/schemas/events";
import type { EventType } from "@/lib/events/types";

/**
 * Events newest first, paged by id as Keboola's Storage events are: `maxId` walks back into
 * older events, `sinceId` fetches only newer ones (what a live log polls for, every 2 s: hence
 * one parameterised query rather than a Prisma query compiled for every poll).
 */
export async function listEvents(options: { db: Db; projectId: number; input: ListEventsInput }): Promise<EventJson[]> {
  const { input, projectId } = options;
  const where = [Prisma.sql`e."projectId" = ${projectId}`];
  if (input.sinceId) where.push(Prisma.sql`e.id > ${BigInt(input.sinceId)}`);
  if (input.maxId) where.push(Prisma.sql`e.id <= ${BigInt(input.maxId)}`);
  if (input.type) where.push(Prisma.sql`e.type = ANY(${input.type}::text[])`);
  if (input.component) where.push(Prisma.sql`e.component = ${input.component}`);
  if (input.q) {
    const pattern = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(Prisma.sql`(e.message ILIKE ${pattern} OR e.event ILIKE ${pattern})`);
  }
  if (input.runId && input.includeChildren) {
    // A run with its descendants: the newest events of each of its jobs' runs through the
    // (projectId, runId, id) index, then the newest of those. (A runId prefix cannot use that
    // index under most collations; scanning every event of the project for it took seconds.)
    const runs = Prisma.sql`SELECT ${input.runId}::text AS "runId" UNION
      SELECT j."runId" FROM "Job" j WHERE j."projectId" = ${projectId} AND j."rootRunId" = ${input.runId.split(".")[0]} AND j."runId" LIKE ${`${input.runId}.%`}`;
    const rows = await options.db.$queryRaw<JobEvent[]>`
      SELECT e.* FROM (${runs}) runs
      CROSS JOIN LATERAL (SELECT e.* FROM "JobEvent" e WHERE ${Prisma.join(where, " AND ")} AND e."runId" = runs."runId" ORDER BY e.id DESC LIMIT ${input.limit + input.offset}) e
      ORDER BY e.id DESC LIMIT ${input.limit} OFFSET ${input.offset}`;
    return rows.map(toEventJson);
  }
  if (input.runId) where.push(Prisma.sql`e."runId" = ${input.runId}`);
  const rows = await options.db.$queryRaw<JobEvent[]>`
    SELECT e.* FROM "JobEvent" e WHERE ${Prisma.join(where, " AND ")} ORDER BY e.id DESC LIMIT ${input.limit} OFFSET ${input.offset}`;
  return rows.map(toEventJson);
}

export function toEventJson(e: JobEvent): EventJson {
  return {
    id: e.id.toString(),
    event: e.event,
    component: e.component,
    message: e.message,
    description: e.description,
    type: e.type as EventType,
    created: e.created.toISOString(),
    runId: e.runId,
    params: (e.params as Record<string, unknown> | null) ?? {},
    results: (e.results as Record<string, unknown> | null) ?? {},
  };
}
