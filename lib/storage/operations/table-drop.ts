import "server-only";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { loadTable } from "@/lib/storage/operations/load-data-file";
import { dropDataTable } from "@/lib/storage/table-sql";

/** tableDrop: the row and its physical table go together. */
export async function runTableDrop(ctx: OperationContext): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const table = await loadTable(db, job.projectId, job.tableId);
  await db.$transaction(async (tx) => {
    await tx.storageTable.delete({ where: { pk: table.pk } });
    await dropDataTable(tx, table.sqlName);
  });
  return { results: { id: table.tableId, rowsCount: Number(table.rowsCount) }, message: `Dropped table ${table.tableId}` };
}
