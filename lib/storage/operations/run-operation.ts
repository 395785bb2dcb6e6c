import "server-only";
import type { StorageOperation } from "@/lib/storage/jobs/state";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { runTableCreate } from "@/lib/storage/operations/table-create";
import { runTableDrop } from "@/lib/storage/operations/table-drop";
import { runTableExport } from "@/lib/storage/operations/table-export";
import { runTableImport } from "@/lib/storage/operations/table-import";
import { runTableRowsDelete } from "@/lib/storage/operations/table-rows-delete";

const OPERATIONS: Record<StorageOperation, (ctx: OperationContext) => Promise<OperationOutcome>> = {
  tableCreate: runTableCreate,
  tableImport: runTableImport,
  tableExport: (ctx) => runTableExport(ctx, "export"),
  tableSnapshotCreate: (ctx) => runTableExport(ctx, "snapshot"),
  tableDrop: runTableDrop,
  tableRowsDelete: runTableRowsDelete,
};

export function runOperation(ctx: OperationContext): Promise<OperationOutcome> {
  return OPERATIONS[ctx.job.operationName as StorageOperation](ctx);
}
