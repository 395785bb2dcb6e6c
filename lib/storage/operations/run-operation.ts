import "server-only";
import { deliverExport } from "@/lib/operations/deliver-export";
import type { StorageOperation } from "@/lib/storage/jobs/state";
import { runBucketDelete } from "@/lib/storage/operations/bucket-delete";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { runTableCreate } from "@/lib/storage/operations/table-create";
import { runTableDrop } from "@/lib/storage/operations/table-drop";
import { runTableExport } from "@/lib/storage/operations/table-export";
import { runTableImport } from "@/lib/storage/operations/table-import";
import { runTableRowsDelete } from "@/lib/storage/operations/table-rows-delete";

const OPERATIONS: Record<StorageOperation, (ctx: OperationContext) => Promise<OperationOutcome>> = {
  tableCreate: runTableCreate,
  tableImport: runTableImport,
  // export_to_s3 (POST /api/operations) adds a copy to S3 to an export.
  tableExport: async (ctx) => deliverExport(ctx, await runTableExport(ctx, "export")),
  tableSnapshotCreate: (ctx) => runTableExport(ctx, "snapshot"),
  tableDrop: runTableDrop,
  tableRowsDelete: runTableRowsDelete,
  bucketDelete: runBucketDelete,
};

export function runOperation(ctx: OperationContext): Promise<OperationOutcome> {
  return OPERATIONS[ctx.job.operationName as StorageOperation](ctx);
}
