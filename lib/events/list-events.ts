import "server-only";
import type { Db } from "@/lib/db";
import type { JobEvent, Prisma } from "@/lib/generated/prisma/client";
import type { EventJson, ListEventsInput } from "@/lib/schemas/events";
import type { EventType } from "@/lib/events/types";

/**
 * Events newest first, paged by id as Keboola's Storage events are: `maxId` walks back into
 * older events, `sinceId` fetches only newer ones (what a live log polls for).
 */
export async function listEvents(options: { db: Db; projectId: number; input: ListEventsInput }): Promise<EventJson[]> {
  const { input } = options;
  const id: Prisma.BigIntFilter = {};
  if (input.sinceId) id.gt = BigInt(input.sinceId);
  if (input.maxId) id.lte = BigInt(input.maxId);
  const where: Prisma.JobEventWhereInput = {
    projectId: options.projectId,
    ...((input.sinceId || input.maxId) && { id }),
    ...(input.runId &&
      (input.includeChildren
        ? { OR: [{ runId: input.runId }, { runId: { startsWith: `${input.runId}.` } }] }
        : { runId: input.runId })),
    ...(input.type && { type: { in: input.type } }),
    ...(input.q && {
      OR: [{ message: { contains: input.q, mode: "insensitive" } }, { event: { contains: input.q, mode: "insensitive" } }],
    }),
  };
  const rows = await options.db.jobEvent.findMany({ where, orderBy: { id: "desc" }, take: input.limit });
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
