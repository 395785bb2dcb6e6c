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

/** Appends events to the log; a job's log is every event carrying its runId. */
export async function writeEvents(options: { db: DbClient; events: NewEvent[] }): Promise<void> {
  if (options.events.length === 0) return;
  await options.db.jobEvent.createMany({
    data: options.events.map(toRow),
  });
}
