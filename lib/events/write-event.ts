import "server-only";
import type { DbClient } from "@/lib/db";

import type { EventType } from "@/lib/events/types";

export type { EventType };

export type NewEvent = {
  projectId: number;
  jobId?: bigint | null;
  runId?: string | null;
  event: string;
  component?: string | null;
  message: string;
  description?: string;
  type?: EventType;
  params?: Record<string, unknown>;
  results?: Record<string, unknown>;
  created?: Date;
};

function toRow(e: NewEvent) {
  return {
    projectId: e.projectId,
    jobId: e.jobId ?? null,
    runId: e.runId ?? null,
    event: e.event,
    component: e.component ?? null,
    message: e.message,
    description: e.description ?? "",
    type: e.type ?? "info",
    params: (e.params ?? {}) as object,
    results: (e.results ?? {}) as object,
    created: e.created ?? new Date(),
  };
}

export async function writeEvent(options: { db: DbClient; event: NewEvent }) {
  return options.db.jobEvent.create({ data: toRow(options.event) });
}

/**
 * Appends events to the log; a job's log is every event carrying its runId. The batch travels as
 * ONE jsonb parameter: a component's output arrives 500 lines at a time, and Prisma's createMany
 * takes 10–14× as long for such a batch (333 ms against 23–35 ms for 500 events, on both databases).
 */
export async function writeEvents(options: { db: DbClient; events: NewEvent[] }): Promise<void> {
  if (options.events.length === 0) return;
  const rows = options.events.map((e) => {
    const row = toRow(e);
    return { ...row, jobId: row.jobId?.toString() ?? null, created: row.created.toISOString() };
  });
  // "created" is a timestamp without time zone holding UTC, as Prisma writes it.
  await options.db.$executeRawUnsafe(
    `INSERT INTO "JobEvent" ("projectId", "jobId", "runId", event, component, message, description, type, created, params, results)
     SELECT (e->>'projectId')::int, (e->>'jobId')::bigint, e->>'runId', e->>'event', e->>'component', e->>'message',
            e->>'description', e->>'type', (e->>'created')::timestamp, e->'params', e->'results'
       FROM jsonb_array_elements($1::jsonb) AS e`,
    JSON.stringify(rows),
  );
}
