import "server-only";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { LONG_TRANSACTION, type OperationContext, type OperationOutcome } from "@/lib/storage/operations/context";
import { loadTable } from "@/lib/storage/operations/load-data-file";
import { deleteRows, type RowFilter, tableStats } from "@/lib/storage/table-sql";

const paramsSchema = z.object({
  whereColumn: z.string().optional(),
  whereValues: z.array(z.string()).optional(),
  whereOperator: z.enum(["eq", "ne"]).default("eq"),
  timestampColumn: z.string().optional(),
  before: z.iso.datetime().optional(),
});

// PostgreSQL's "invalid_datetime_format" and "datetime_field_overflow".
const NOT_A_TIME = new Set(["22007", "22008"]);

function isNotATime(error: unknown): boolean {
  const text = error instanceof Prisma.PrismaClientKnownRequestError ? JSON.stringify(error.meta ?? {}) + error.message : String(error);
  return [...NOT_A_TIME].some((code) => text.includes(code)) || /invalid input syntax for type timestamp/i.test(text);
}

/** tableRowsDelete: by column values, or by a timestamp column (HarperDB's delete_records_before). */
export async function runTableRowsDelete(ctx: OperationContext): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const params = paramsSchema.parse(job.operationParams);
  const table = await loadTable(db, job.projectId, job.tableId);
  const filter: RowFilter =
    params.whereColumn !== undefined
      ? { kind: "values", column: params.whereColumn, values: params.whereValues ?? [], operator: params.whereOperator }
      : params.timestampColumn !== undefined && params.before !== undefined
        ? { kind: "before", column: params.timestampColumn, before: new Date(params.before) }
        : { kind: "all" };
  const column = filter.kind === "all" ? null : filter.column;
  if (column !== null && !table.columns.includes(column)) {
    throw new StorageJobError("columnNotFound", `"${column}" is not a column of ${table.tableId}.`);
  }
  const { deleted, stats } = await db
    .$transaction(async (tx) => {
      const deleted = await deleteRows(tx, { sqlName: table.sqlName, filter });
      const stats = await tableStats(tx, table.sqlName);
      await tx.storageTable.update({ where: { pk: table.pk }, data: { rowsCount: stats.rows, dataSizeBytes: stats.bytes } });
      return { deleted, stats };
    }, LONG_TRANSACTION)
    .catch((error: unknown) => {
      if (filter.kind === "before" && isNotATime(error)) {
        throw new StorageJobError("invalidTimestamp", `Column ${filter.column} holds a value that is not a time; no rows were deleted.`);
      }
      throw error;
    });
  return {
    results: { deletedRows: deleted, totalRowsCount: Number(stats.rows) },
    message: `Deleted ${deleted} rows from ${table.tableId}`,
  };
}
