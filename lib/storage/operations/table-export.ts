import "server-only";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { stringify } from "csv-stringify";
import { z } from "zod";
import { storeFile } from "@/lib/storage/files/store-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { newStagingName } from "@/lib/storage/identifiers";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { loadTable } from "@/lib/storage/operations/load-data-file";
import { copyToStaging, dropDataTable, readStagingBatches } from "@/lib/storage/table-sql";

// 128 heap pages: about 1 MB of rows a batch, whatever their width.
export const EXPORT_BATCH_BLOCKS = 128;

// The filters requestTableExport checked and stored (absent: the whole table).
const filtersSchema = z.object({
  columns: z.array(z.string()).optional(),
  whereColumn: z.string().optional(),
  whereValues: z.array(z.string()).default([]),
  whereOperator: z.enum(["eq", "ne"]).default("eq"),
  limit: z.number().int().min(0).optional(),
  // Keboola's file (export-async): RFC 4180 with every value quoted, no header, gzipped when asked.
  fileFormat: z.literal("rfc").optional(),
  gzip: z.boolean().default(false),
});

/**
 * tableExport and tableSnapshotCreate: a consistent copy of the table, streamed as CSV (header
 * first) into a new File. A snapshot is kept until deleted; an export expires like an upload.
 */
export async function runTableExport(ctx: OperationContext, kind: "export" | "snapshot" = "export"): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const table = await loadTable(db, job.projectId, job.tableId);
  const filters = kind === "export" ? filtersSchema.parse(job.operationParams ?? {}) : filtersSchema.parse({});
  // Checked again: the table may have been replaced by one with other columns since the request.
  const missing = [...(filters.columns ?? []), ...(filters.whereColumn === undefined ? [] : [filters.whereColumn])].find((c) => !table.columns.includes(c));
  if (missing !== undefined) throw new StorageJobError("columnNotFound", `Column "${missing}" is not a column of ${table.tableId}.`);
  const columns = filters.columns ?? table.columns;
  const copy = newStagingName(job.id);
  await copyToStaging(db, {
    source: table.sqlName,
    name: copy,
    columns,
    ...(filters.whereColumn !== undefined && { where: { column: filters.whereColumn, values: filters.whereValues, operator: filters.whereOperator } }),
    ...(filters.limit !== undefined && { limit: filters.limit }),
  });
  try {
    let rows = 0;
    const keboola = filters.fileFormat === "rfc";
    async function* records() {
      if (!keboola) yield columns;
      for await (const batch of readStagingBatches(db, { name: copy, width: columns.length, blocksPerBatch: EXPORT_BATCH_BLOCKS })) {
        rows += batch.length;
        yield* batch;
      }
    }
    const csv = stringify({ record_delimiter: "unix", ...(keboola && { quoted: true, quoted_empty: true }) });
    // Counted in passing: a "data" listener would set the CSV flowing before the File store reads it.
    let csvBytes = 0n;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        csvBytes += BigInt(chunk.length);
        done(null, chunk);
      },
    });
    const gzip = filters.gzip ? createGzip() : null;
    const source = gzip ? counted.pipe(gzip) : counted;
    counted.on("error", (error) => gzip?.destroy(error));
    const [stored, fed] = await Promise.allSettled([
      storeFile({
        db,
        projectId: job.projectId,
        tokenId: job.tokenId,
        name: kind === "snapshot" ? `${table.tableId}.snapshot-${job.id}.csv` : `${table.tableId}.csv${gzip ? ".gz" : ""}`,
        source,
        tags: kind === "snapshot" ? ["snapshot", "table-snapshot"] : ["table-export"],
        runId: job.runId,
        contentType: gzip ? "application/gzip" : "text/csv",
        ...(kind === "snapshot" && { expiresAt: null }),
        store: ctx.files,
        tempName: `storage-job-${job.id}.part`,
      }),
      pipeline(Readable.from(records()), csv, counted),
    ]);
    // A failed write (a full disk) also stops the feeding; report the write, not its echo.
    if (stored.status === "rejected") throw stored.reason;
    if (fed.status === "rejected") throw fed.reason;
    const file = stored.value;
    return {
      results: { file: { id: file.id.toString() }, exportedRowsCount: rows, columns },
      outBytes: file.sizeBytes,
      outCompressed: gzip !== null,
      outBytesUncompressed: csvBytes,
      message: `${kind === "snapshot" ? "Snapshot of" : "Exported"} ${table.tableId}: ${rows} rows to file ${file.id}`,
    };
  } finally {
    await dropDataTable(db, copy).catch(() => undefined);
  }
}
