import "server-only";
import type { Db } from "@/lib/db";
import { invalidInput } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { jobViewsQuery, toJobViews, type JobViewRow } from "@/lib/jobs/views";
import type { JobJson, SearchJobsInput } from "@/lib/schemas/jobs";

const SORT_COLUMNS = {
  id: "id",
  createdTime: "createdTime",
  startTime: "startTime",
  endTime: "endTime",
  durationSeconds: "durationSeconds",
  status: "status",
  componentId: "component",
  runId: "runId",
  projectId: "id",
  branchId: "branchId",
  configId: "config",
} as const satisfies Record<SearchJobsInput["sortBy"], string>;

const NULLABLE_SORTS = new Set(["startTime", "endTime", "durationSeconds"]);

/**
 * A createdTime range holding at most this many jobs is read whole through the createdTime index
 * and sorted; a wider one is found by walking the id index (see `pageQuery`).
 */
export const NARROW_RANGE_JOBS = 20_000;

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

/** The filters of a search without paging or sorting: what both the list and the counts select. */
export type JobFilters = Omit<SearchJobsInput, "sortBy" | "sortOrder" | "limit" | "offset" | "cursor">;

const column = (name: string) => Prisma.raw(`j."${name}"`);
// Timestamps are stored as UTC in `timestamp(3)`; an ISO string cast to timestamp keeps that UTC.
const time = (date: Date) => Prisma.sql`${date.toISOString()}::timestamp(3)`;

/** The WHERE clause (over `"Job" j`) of a search: the one place the filters become SQL. */
export function jobFiltersSql(projectId: number, input: JobFilters): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`j."projectId" = ${projectId}`];
  // One value is an equality: an index on (…, column, id) then also yields the order by id.
  const anyOf = (name: string, values: readonly string[] | undefined) => {
    if (values) where.push(values.length === 1 ? Prisma.sql`${column(name)} = ${values[0]}` : Prisma.sql`${column(name)} = ANY(${values}::text[])`);
  };
  const between = (name: string, from: number | Date | undefined, to: number | Date | undefined) => {
    const value = (v: number | Date) => (v instanceof Date ? time(v) : Prisma.sql`${v}::int`);
    if (from !== undefined) where.push(Prisma.sql`${column(name)} >= ${value(from)}`);
    if (to !== undefined) where.push(Prisma.sql`${column(name)} <= ${value(to)}`);
  };
  if (input.id) where.push(Prisma.sql`j.id = ANY(${input.id}::bigint[])`);
  anyOf("runId", input.runId);
  // rootOnly wins over parentRunId, as it always has.
  if (input.rootOnly) where.push(Prisma.sql`j."parentRunId" IS NULL`);
  else anyOf("parentRunId", input.parentRunId);
  anyOf("component", input.componentId);
  anyOf("config", input.configId);
  anyOf("status", input.status);
  if (input.excludeStatus) where.push(Prisma.sql`NOT (j.status = ANY(${input.excludeStatus}::text[]))`);
  if (input.tokenDescription) {
    where.push(Prisma.sql`j."tokenId" IN (SELECT t.id FROM "Token" t WHERE t."projectId" = ${projectId} AND t.description = ANY(${input.tokenDescription}::text[]))`);
  }
  anyOf("type", input.type);
  anyOf("mode", input.mode);
  anyOf("branchId", input.branchId);
  between("createdTime", input.createdTimeFrom, input.createdTimeTo);
  between("startTime", input.startTimeFrom, input.startTimeTo);
  between("endTime", input.endTimeFrom, input.endTimeTo);
  between("durationSeconds", input.durationSecondsFrom, input.durationSecondsTo);
  return Prisma.join(where, " AND ");
}

/**
 * The ids of one page (at most limit + 1, to tell whether another page follows), as a SELECT over
 * `"Job" j`. Ties under a sort are broken by id, nulls of nullable sorts come last in both orders.
 */
function pageQuery(projectId: number, input: SearchJobsInput, narrowRangeJobs: number): Prisma.Sql {
  const sort = SORT_COLUMNS[input.sortBy];
  const desc = input.sortOrder === "desc";
  const dir = Prisma.raw(desc ? "DESC" : "ASC");
  const nulls = NULLABLE_SORTS.has(sort) ? Prisma.raw(" NULLS LAST") : Prisma.empty;
  const where = [jobFiltersSql(projectId, input)];
  const cursorId = input.cursor ? decodeCursor(input.cursor, input) : undefined;
  if (cursorId !== undefined) where.push(afterCursor(projectId, sort, desc, cursorId));
  const filters = Prisma.join(where, " AND ");
  // The cursor replaces the offset.
  const window = Prisma.sql`LIMIT ${input.limit + 1} OFFSET ${cursorId === undefined ? input.offset : 0}`;
  if (sort !== "id") {
    return Prisma.sql`SELECT j.id FROM "Job" j WHERE ${filters} ORDER BY ${column(sort)} ${dir}${nulls}, j.id ${dir} ${window}`;
  }
  const byId = Prisma.sql`SELECT j.id FROM "Job" j WHERE ${filters} ORDER BY j.id ${dir} ${window}`;
  if (input.createdTimeFrom === undefined && input.createdTimeTo === undefined) return byId;
  // By id inside a createdTime range. Walking the id index until enough jobs of the range turn
  // up is quick when the range is wide and recent, and slow when it is narrow or old: it reads
  // every newer job first, and the planner, which cannot know, always walks. So the range's ids
  // are read first through the ("projectId", "createdTime", id) index (index-only), up to a bound.
  // When the whole range fits, the page is those ids newest first, each checked against the other
  // filters by primary key until the page is full (the LIMIT 1 keeps it a nested loop); a wider
  // range walks the id index as before.
  const range = jobFiltersSql(projectId, { createdTimeFrom: input.createdTimeFrom, createdTimeTo: input.createdTimeTo });
  return Prisma.sql`
    WITH range AS MATERIALIZED (SELECT j.id FROM "Job" j WHERE ${range} LIMIT ${narrowRangeJobs + 1}),
         narrow AS MATERIALIZED (SELECT count(*) <= ${narrowRangeJobs} AS yes FROM range)
    (SELECT r.id FROM (SELECT id FROM range ORDER BY id ${dir}) r CROSS JOIN LATERAL (SELECT FROM "Job" j WHERE j.id = r.id AND ${filters} LIMIT 1) m
     WHERE (SELECT yes FROM narrow) ORDER BY r.id ${dir} ${window})
    UNION ALL
    (SELECT j.id FROM "Job" j WHERE NOT (SELECT yes FROM narrow) AND ${filters} ORDER BY j.id ${dir} ${window})`;
}

/** Jobs after the cursor's job under the sort: (value, id) past the cursor's, nulls last. */
function afterCursor(projectId: number, sort: string, desc: boolean, cursorId: bigint): Prisma.Sql {
  const past = Prisma.raw(desc ? "<" : ">");
  if (sort === "id") return Prisma.sql`j.id ${past} ${cursorId}`;
  const value = Prisma.sql`(SELECT c.${Prisma.raw(`"${sort}"`)} FROM "Job" c WHERE c."projectId" = ${projectId} AND c.id = ${cursorId})`;
  const col = column(sort);
  const pastInOrder = Prisma.sql`(${col}, j.id) ${past} (${value}, ${cursorId})`;
  if (!NULLABLE_SORTS.has(sort)) return pastInOrder;
  return Prisma.sql`(CASE WHEN ${value} IS NULL THEN ${col} IS NULL AND j.id ${past} ${cursorId} ELSE ${pastInOrder} OR ${col} IS NULL END)`;
}

/**
 * The one statement behind GET /search/jobs: the page, hydrated and rolled up (views.ts), plus
 * how many ids the page query found (limit + 1 means another page follows). Exported so that
 * bench/search.ts runs exactly this SQL as the raw side.
 */
export function searchJobsQuery(projectId: number, input: SearchJobsInput, narrowRangeJobs = NARROW_RANGE_JOBS): Prisma.Sql {
  return jobViewsQuery({ projectId, page: pageQuery(projectId, input, narrowRangeJobs), sort: orderOf(input), limit: input.limit });
}

function orderOf(input: SearchJobsInput) {
  return { column: SORT_COLUMNS[input.sortBy], desc: input.sortOrder === "desc", nullsLast: NULLABLE_SORTS.has(SORT_COLUMNS[input.sortBy]) };
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
  /** Tests lower it to take both ways through a createdTime range. */
  narrowRangeJobs?: number;
}): Promise<{ jobs: JobJson[]; nextCursor: string | null }> {
  const { db, projectId, input } = options;
  const rows = await db.$queryRaw<JobViewRow[]>(searchJobsQuery(projectId, input, options.narrowRangeJobs));
  const last = rows.at(-1);
  const nextCursor =
    last && last.pageRows > input.limit ? encodeCursor({ sortBy: input.sortBy, sortOrder: input.sortOrder, id: last.id.toString() }) : null;
  return { jobs: toJobViews(rows, options.origin), nextCursor };
}
