import "server-only";
import type { Db } from "@/lib/db";
import { invalidInput } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { loadJobViews } from "@/lib/jobs/views";
import type { JobJson, SearchJobsInput } from "@/lib/schemas/jobs";

const SORT_COLUMNS = {
  id: "id",
  createdTime: "createdTime",
  startTime: "startTime",
  endTime: "endTime",
  durationSeconds: "durationSeconds",
  status: "status",
  componentId: "component",
} as const satisfies Record<SearchJobsInput["sortBy"], keyof Prisma.JobOrderByWithRelationInput>;

const NULLABLE_SORTS = new Set(["startTime", "endTime", "durationSeconds"]);

type Cursor = { sortBy: string; sortOrder: string; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(raw: string, input: SearchJobsInput): bigint {
  let cursor: Partial<Cursor> | null = null;
  try {
    cursor = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
  } catch {
    cursor = null;
  }
  if (!cursor || typeof cursor.id !== "string" || !/^\d{1,18}$/.test(cursor.id)) {
    throw invalidInput("cursor is not one this server issued", "cursor");
  }
  if (cursor.sortBy !== input.sortBy || cursor.sortOrder !== input.sortOrder) {
    throw invalidInput("cursor was issued for another sortBy/sortOrder", "cursor");
  }
  return BigInt(cursor.id);
}

export function jobSearchWhere(projectId: number, input: SearchJobsInput): Prisma.JobWhereInput {
  const range = (from?: Date, to?: Date) => (from || to ? { ...(from && { gte: from }), ...(to && { lte: to }) } : undefined);
  const status: Prisma.StringFilter = {};
  if (input.status) status.in = input.status;
  if (input.excludeStatus) status.notIn = input.excludeStatus;
  return {
    projectId,
    ...(input.id && { id: { in: input.id.map((id) => BigInt(id)) } }),
    ...(input.runId && { runId: { in: input.runId } }),
    ...(input.parentRunId && { parentRunId: { in: input.parentRunId } }),
    ...(input.rootOnly && { parentRunId: null }),
    ...(input.componentId && { component: { in: input.componentId } }),
    ...(input.configId && { config: { in: input.configId } }),
    ...((input.status || input.excludeStatus) && { status }),
    ...(input.tokenDescription && { token: { description: { in: input.tokenDescription } } }),
    ...(input.type && { type: { in: input.type } }),
    ...(input.mode && { mode: { in: input.mode } }),
    ...(input.branchId && { branchId: { in: input.branchId } }),
    ...(range(input.createdTimeFrom, input.createdTimeTo) && { createdTime: range(input.createdTimeFrom, input.createdTimeTo) }),
    ...(range(input.startTimeFrom, input.startTimeTo) && { startTime: range(input.startTimeFrom, input.startTimeTo) }),
    ...(range(input.endTimeFrom, input.endTimeTo) && { endTime: range(input.endTimeFrom, input.endTimeTo) }),
    ...((input.durationSecondsFrom !== undefined || input.durationSecondsTo !== undefined) && {
      durationSeconds: {
        ...(input.durationSecondsFrom !== undefined && { gte: input.durationSecondsFrom }),
        ...(input.durationSecondsTo !== undefined && { lte: input.durationSecondsTo }),
      },
    }),
  };
}

/**
 * GET /search/jobs. Offset paging as Keboola has it, plus a cursor (the last row's id under the
 * same sort) that stays stable while new jobs arrive.
 */
export async function searchJobs(options: {
  db: Db;
  projectId: number;
  input: SearchJobsInput;
  origin: string;
}): Promise<{ jobs: JobJson[]; nextCursor: string | null }> {
  const { db, projectId, input } = options;
  const column = SORT_COLUMNS[input.sortBy];
  const orderBy: Prisma.JobOrderByWithRelationInput[] = [];
  if (column !== "id") {
    orderBy.push({ [column]: NULLABLE_SORTS.has(column) ? { sort: input.sortOrder, nulls: "last" } : input.sortOrder });
  }
  orderBy.push({ id: input.sortOrder });
  const cursorId = input.cursor ? decodeCursor(input.cursor, input) : undefined;
  const rows = await db.job.findMany({
    where: jobSearchWhere(projectId, input),
    orderBy,
    select: { id: true },
    take: input.limit + 1,
    ...(cursorId !== undefined ? { cursor: { id: cursorId }, skip: 1 } : { skip: input.offset }),
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > input.limit && last
      ? encodeCursor({ sortBy: input.sortBy, sortOrder: input.sortOrder, id: last.id.toString() })
      : null;
  const jobs = await loadJobViews({ db, projectId, ids: page.map((r) => r.id), origin: options.origin });
  return { jobs, nextCursor };
}
