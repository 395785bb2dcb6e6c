import "server-only";
import type { Db } from "@/lib/db";
import { invalidInput, notFound } from "@/lib/errors";
import type { Bucket, Metadata, StorageTable } from "@/lib/generated/prisma/client";
import type { ExportFilters, MetadataJson, PreviewJson, TableJson } from "@/lib/schemas/storage";
import { bucketNameOf } from "@/lib/storage/buckets";
import { type BucketStage, parseTableId } from "@/lib/storage/identifiers";
import { dropDataTable, previewRows } from "@/lib/storage/table-sql";

type TableRow = StorageTable & { bucket: Bucket; metadata?: Metadata[] };

export function toMetadataJson(m: Metadata): MetadataJson {
  return { id: String(m.id), key: m.key, value: m.value, provider: m.provider, timestamp: m.timestamp.toISOString() };
}

/** A table as Keboola's Storage API shows it (`uri` needs the origin the caller reached). */
export function toTableJson(table: TableRow, origin: string): TableJson {
  const metadata = table.metadata ?? [];
  const columnMetadata: Record<string, MetadataJson[]> = {};
  for (const m of metadata) if (m.columnName !== null) (columnMetadata[m.columnName] ??= []).push(toMetadataJson(m));
  return {
    id: table.tableId,
    name: table.name,
    displayName: table.displayName,
    uri: `${origin}/api/v2/storage/tables/${table.tableId}`,
    bucket: { id: table.bucket.bucketId, stage: table.bucket.stage as BucketStage, name: bucketNameOf(table.bucket), displayName: table.bucket.name },
    columns: table.columns,
    primaryKey: table.primaryKey,
    rowsCount: Number(table.rowsCount),
    dataSizeBytes: Number(table.dataSizeBytes),
    created: table.createdAt.toISOString(),
    lastImportDate: table.lastImportDate?.toISOString() ?? null,
    lastChangeDate: table.lastImportDate?.toISOString() ?? null,
    isAlias: false,
    attributes: [],
    metadata: metadata.filter((m) => m.columnName === null).map(toMetadataJson),
    columnMetadata,
  };
}

const withMetadata = { bucket: true, metadata: { orderBy: { id: "asc" } } } as const;

export async function listTables(options: { db: Db; projectId: number; bucketId?: string; origin: string }): Promise<TableJson[]> {
  const tables = await options.db.storageTable.findMany({
    where: { projectId: options.projectId, ...(options.bucketId && { bucket: { bucketId: options.bucketId } }) },
    orderBy: { tableId: "asc" },
    include: withMetadata,
  });
  return tables.map((t) => toTableJson(t, options.origin));
}

/** The table row; a malformed, unknown or foreign id is "not found". */
export async function findTable(options: { db: Db; projectId: number; tableId: string }) {
  const table = parseTableId(options.tableId)
    ? await options.db.storageTable.findUnique({
        where: { projectId_tableId: { projectId: options.projectId, tableId: options.tableId } },
        include: { bucket: true },
      })
    : null;
  if (!table) throw notFound(`Table ${options.tableId.slice(0, 250)}`);
  return table;
}

export async function getTable(options: { db: Db; projectId: number; tableId: string; origin?: string }): Promise<TableJson> {
  const table = await findTable(options);
  const metadata = await options.db.metadata.findMany({ where: { tablePk: table.pk }, orderBy: { id: "asc" } });
  return toTableJson({ ...table, metadata }, options.origin ?? "");
}

/** The columns a filter names must be the table's: a 422 naming the field otherwise. */
export function checkFilterColumns(table: { tableId: string; columns: string[] }, filters: ExportFilters) {
  const unknown = (filters.columns ?? []).find((c) => !table.columns.includes(c));
  if (unknown !== undefined) throw invalidInput(`columns: "${unknown}" is not a column of ${table.tableId}`, "columns");
  const twice = (filters.columns ?? []).find((c, i, all) => all.indexOf(c) !== i);
  if (twice !== undefined) throw invalidInput(`columns: "${twice}" is listed twice`, "columns");
  if (filters.whereColumn !== undefined && !table.columns.includes(filters.whereColumn)) {
    throw invalidInput(`whereColumn: "${filters.whereColumn}" is not a column of ${table.tableId}`, "whereColumn");
  }
}

/** The first rows of a table, with Keboola's `columns` and `whereColumn`/`whereValues`/`whereOperator`. */
export async function previewTable(options: { db: Db; projectId: number; tableId: string; limit: number; filters?: ExportFilters }): Promise<PreviewJson> {
  const table = await findTable(options);
  const filters = options.filters ?? {};
  checkFilterColumns(table, filters);
  const columns = filters.columns ?? table.columns;
  const rows = await previewRows(options.db, {
    sqlName: table.sqlName,
    columns,
    limit: Math.min(options.limit, filters.limit ?? options.limit),
    ...(filters.whereColumn !== undefined && { where: { column: filters.whereColumn, values: filters.whereValues ?? [], operator: filters.whereOperator ?? "eq" } }),
  });
  return { columns, rows };
}

/** Drops a table now (Keboola's synchronous table DELETE): its row, metadata and physical table together. */
export async function dropTable(options: { db: Db; projectId: number; tableId: string }): Promise<void> {
  const table = await findTable(options);
  await options.db.$transaction(async (tx) => {
    const { count } = await tx.storageTable.deleteMany({ where: { pk: table.pk } });
    if (count === 0) throw notFound(`Table ${table.tableId}`);
    await dropDataTable(tx, table.sqlName);
  });
}
