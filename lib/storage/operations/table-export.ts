import "server-only";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { storeFile } from "@/lib/storage/files/store-file";
import { newStagingName } from "@/lib/storage/identifiers";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { loadTable } from "@/lib/storage/operations/load-data-file";
import { copyToStaging, dropDataTable, readStagingBatches } from "@/lib/storage/table-sql";

// 128 heap pages: about 1 MB of rows a batch, whatever their width.
export const EXPORT_BATCH_BLOCKS = 128;

/**
 * tableExport and tableSnapshotCreate: a consistent copy of the table, streamed as CSV (header
 * first) into a new File. A snapshot is kept until deleted; an export expires like an upload.
 */
export async function runTableExport(ctx: OperationContext, kind: "export" | "snapshot" = "export"): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const table = await loadTable(db, job.projectId, job.tableId);
  const copy = newStagingName(job.id);
  await copyToStaging(db, { source: table.sqlName, name: copy, columns: table.columns });
  try {
    let rows = 0;
    async function* records() {
      yield table.columns;
      for await (const batch of readStagingBatches(db, { name: copy, width: table.columns.length, blocksPerBatch: EXPORT_BATCH_BLOCKS })) {
        rows += batch.length;
        yield* batch;
      }
    }
    const csv = stringify({ record_delimiter: "unix" });
    const [stored, fed] = await Promise.allSettled([
      storeFile({
        db,
        projectId: job.projectId,
        tokenId: job.tokenId,
        name: kind === "snapshot" ? `${table.tableId}.snapshot-${job.id}.csv` : `${table.tableId}.csv`,
        source: csv,
        tags: kind === "snapshot" ? ["snapshot", "table-snapshot"] : ["table-export"],
        runId: job.runId,
        contentType: "text/csv",
        ...(kind === "snapshot" && { expiresAt: null }),
        filesDir: ctx.filesDir,
        tempName: `storage-job-${job.id}.part`,
      }),
      pipeline(Readable.from(records()), csv),
    ]);
    // A failed write (a full disk) also stops the feeding; report the write, not its echo.
    if (stored.status === "rejected") throw stored.reason;
    if (fed.status === "rejected") throw fed.reason;
    const file = stored.value;
    return {
      results: { file: { id: file.id.toString() }, exportedRowsCount: rows, columns: table.columns },
      outBytes: file.sizeBytes,
      message: `${kind === "snapshot" ? "Snapshot of" : "Exported"} ${table.tableId}: ${rows} rows to file ${file.id}`,
    };
  } finally {
    await dropDataTable(db, copy).catch(() => undefined);
  }
}
