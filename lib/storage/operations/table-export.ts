import "server-only";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { stringify } from "csv-stringify";
import { z } from "zod";
import { driverOf } from "@/lib/db";
import { copyOut } from "@/lib/storage/copy";
import { storeFile } from "@/lib/storage/files/store-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { newStagingName } from "@/lib/storage/identifiers";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";
import { loadTable } from "@/lib/storage/operations/load-data-file";
import { blockRangeSql, copyToStaging, dropDataTable, exportSelectSql, readStagingBatches, tableBlocks, type ValuesFilter } from "@/lib/storage/table-sql";

// 128 heap pages: about 1 MB of rows a batch, whatever their width.
export const EXPORT_BATCH_BLOCKS = 128;
// PGlite's COPY writes its whole output as one Blob: 2,048 pages (about 16 MB of rows) a COPY.
export const EXPORT_COPY_BLOCKS = 2048;

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
  const keboola = filters.fileFormat === "rfc";
  const where = filters.whereColumn !== undefined ? { column: filters.whereColumn, values: filters.whereValues, operator: filters.whereOperator } : undefined;
  const write = (csv: Readable, rows: () => number) => writeExport(ctx, { kind, table, columns, gzip: filters.gzip, csv, rows });
  const driver = driverOf(db);
  if (!driver) return exportByRows(ctx, { kind, table, columns, keboola, gzip: filters.gzip, where, limit: filters.limit });
  // Keboola's file quotes every value (FORCE_QUOTE; an empty one too, as COPY quotes what equals
  // its NULL string). Jobdeck's own quotes only where needed, as csv-stringify did: '' is selected
  // as NULL so that COPY writes nothing for it. Its header is written here (column names never need quotes).
  const options = `WITH (FORMAT csv${keboola ? ", FORCE_QUOTE *" : ""})`;
  const header = keboola ? [] : [Buffer.from(`${columns.join(",")}\n`)];
  if (driver.kind === "postgresql") {
    // One statement reads one snapshot: consistent without a copy of the table first.
    const sql = exportSelectSql({ source: table.sqlName, columns, where, limit: filters.limit, emptyAsNull: !keboola });
    const out = copyOut(driver, { queries: async function* () { yield sql; }, options });
    return write(prepend(header, out.stream), out.rows);
  }
  // PGlite: a COPY's output is one Blob, so the copy is read in slices of EXPORT_COPY_BLOCKS pages;
  // a copy first, so that an import between two slices cannot tear the file.
  const staged = newStagingName(job.id);
  await copyToStaging(db, { source: table.sqlName, name: staged, columns, ...(where && { where }), ...(filters.limit !== undefined && { limit: filters.limit }) });
  try {
    const blocks = await tableBlocks(db, staged);
    const out = copyOut(driver, {
      queries: async function* () {
        for (let from = 0; from < blocks; from += EXPORT_COPY_BLOCKS) {
          yield blockRangeSql({ name: staged, width: columns.length, from, blocks: EXPORT_COPY_BLOCKS, emptyAsNull: !keboola });
        }
      },
      options,
    });
    return await write(prepend(header, out.stream), out.rows);
  } finally {
    await dropDataTable(db, staged).catch(() => undefined);
  }
}

/** `first` ahead of `stream`'s bytes. */
function prepend(first: Buffer[], stream: Readable): Readable {
  if (first.length === 0) return stream;
  return Readable.from(
    (async function* () {
      yield* first;
      yield* stream;
    })(),
    { objectMode: false },
  );
}

type ExportTable = Awaited<ReturnType<typeof loadTable>>;

/** The CSV-stringify path, for a client whose driver is unknown: rows read in ctid batches from a copy. */
async function exportByRows(
  ctx: OperationContext,
  options: { kind: "export" | "snapshot"; table: ExportTable; columns: string[]; keboola: boolean; gzip: boolean; where?: ValuesFilter; limit?: number },
): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const { table, columns, keboola } = options;
  const copy = newStagingName(job.id);
  await copyToStaging(db, { source: table.sqlName, name: copy, columns, ...(options.where && { where: options.where }), ...(options.limit !== undefined && { limit: options.limit }) });
  try {
    let rows = 0;
    async function* records() {
      if (!keboola) yield columns;
      for await (const batch of readStagingBatches(db, { name: copy, width: columns.length, blocksPerBatch: EXPORT_BATCH_BLOCKS })) {
        rows += batch.length;
        yield* batch;
      }
    }
    const csv = stringify({ record_delimiter: "unix", ...(keboola && { quoted: true, quoted_empty: true }) });
    const fed = pipeline(Readable.from(records()), csv).catch((error: unknown) => {
      csv.destroy(error as Error);
    });
    const outcome = await writeExport(ctx, { kind: options.kind, table, columns, gzip: options.gzip, csv, rows: () => rows });
    await fed;
    return outcome;
  } finally {
    await dropDataTable(db, copy).catch(() => undefined);
  }
}

/** Streams an export's CSV (gzipped when asked) into a new File and reports it. */
async function writeExport(
  ctx: OperationContext,
  options: { kind: "export" | "snapshot"; table: ExportTable; columns: string[]; gzip: boolean; csv: Readable; rows: () => number },
): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const { kind, table, columns } = options;
  // Counted in passing: a "data" listener would set the CSV flowing before the File store reads it.
  let csvBytes = 0n;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      csvBytes += BigInt(chunk.length);
      done(null, chunk);
    },
  });
  const gzip = options.gzip ? createGzip() : null;
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
    pipeline(options.csv, counted),
  ]);
  // A failed write (a full disk) also stops the feeding; report the write, not its echo.
  if (stored.status === "rejected") throw stored.reason;
  if (fed.status === "rejected") throw fed.reason;
  const file = stored.value;
  const rows = options.rows();
  return {
    results: { file: { id: file.id.toString() }, exportedRowsCount: rows, columns },
    outBytes: file.sizeBytes,
    outCompressed: gzip !== null,
    outBytesUncompressed: csvBytes,
    message: `${kind === "snapshot" ? "Snapshot of" : "Exported"} ${table.tableId}: ${rows} rows to file ${file.id}`,
  };
}
