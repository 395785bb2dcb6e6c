import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Bucket, StorageTable } from "@/lib/generated/prisma/client";
import type { PreviewJson, TableJson } from "@/lib/schemas/storage";
import { type BucketStage, parseTableId } from "@/lib/storage/identifiers";
import { previewRows } from "@/lib/storage/table-sql";

export function toTableJson(table: StorageTable & { bucket: Bucket }): TableJson {
  return {
    id: table.tableId,
    name: table.name,
    displayName: table.displayName,
    bucket: { id: table.bucket.bucketId, stage: table.bucket.stage as BucketStage, name: table.bucket.name },
    columns: table.columns,
    primaryKey: table.primaryKey,
    rowsCount: Number(table.rowsCount),
    dataSizeBytes: Number(table.dataSizeBytes),
    created: table.createdAt.toISOString(),
    lastImportDate: table.lastImportDate?.toISOString() ?? null,
  };
}

export async function listTables(options: { db: Db; projectId: number; bucketId?: string }): Promise<TableJson[]> {
  const tables = await options.db.storageTable.findMany({
    where: { projectId: options.projectId, ...(options.bucketId && { bucket: { bucketId: options.bucketId } }) },
    orderBy: { tableId: "asc" },
    include: { bucket: true },
  });
  return tables.map(toTableJson);
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

export async function getTable(options: { db: Db; projectId: number; tableId: string }): Promise<TableJson> {
  return toTableJson(await findTable(options));
}

export async function previewTable(options: { db: Db; projectId: number; tableId: string; limit: number }): Promise<PreviewJson> {
  const table = await findTable(options);
  const rows = await previewRows(options.db, { sqlName: table.sqlName, columns: table.columns, limit: options.limit });
  return { columns: table.columns, rows };
}
