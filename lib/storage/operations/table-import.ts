import "server-only";
import { z } from "zod";
import { IMPORT_ACTIONS } from "@/lib/schemas/storage";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { LONG_TRANSACTION, type OperationContext, type OperationOutcome } from "@/lib/storage/operations/context";
import { loadDataFile, loadTable } from "@/lib/storage/operations/load-data-file";
import { assertUniqueKeys, explainDuplicateKey, isDuplicateKeyError, stageCsvFile } from "@/lib/storage/operations/stage-csv-file";
import { type MergeMode, mergeStaging, tableStats } from "@/lib/storage/table-sql";

const paramsSchema = z.object({
  dataFileId: z.string(),
  incremental: z.boolean().default(false),
  action: z.enum(IMPORT_ACTIONS).optional(),
  delimiter: z.string().optional(),
  enclosure: z.string().optional(),
  escapedBy: z.string().optional(),
  withoutHeaders: z.boolean().default(false),
  // The file's columns when it has no header (default: the table's, in order).
  columns: z.array(z.string()).optional(),
});

/** How rows meet the table: a full import replaces it; an incremental one appends, or by key upserts. */
export function mergeModeFor(options: { incremental: boolean; action?: (typeof IMPORT_ACTIONS)[number]; hasPrimaryKey: boolean }): MergeMode {
  if (!options.incremental) return "replace";
  if (!options.hasPrimaryKey) {
    // Without a key every row is new: only "update" has nothing to match on.
    if (options.action === "update") throw new StorageJobError("primaryKeyRequired", 'An incremental "update" needs a table with a primary key.');
    return "append";
  }
  if (options.action === "insert") return "insertNew";
  if (options.action === "update") return "updateExisting";
  return "upsert";
}

/**
 * tableImport: stage the whole file first (a bad file fails here and the table is untouched), then
 * replace or merge inside one transaction.
 */
export async function runTableImport(ctx: OperationContext): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const params = paramsSchema.parse(job.operationParams);
  const table = await loadTable(db, job.projectId, job.tableId);
  const mode = mergeModeFor({ incremental: params.incremental, action: params.action, hasPrimaryKey: table.primaryKey.length > 0 });
  const file = await loadDataFile(db, job.projectId, params.dataFileId);
  // A sliced file's slices have no header (Keboola's): like withoutHeaders.
  const header = params.withoutHeaders || file.isSliced ? (params.columns ?? table.columns) : undefined;
  if (header && (header.length !== table.columns.length || table.columns.some((c) => !header.includes(c)))) {
    throw new StorageJobError("columnsMismatch", `A file without a header must hold every column of ${table.tableId} (${table.columns.join(", ")}); columns names ${header.join(", ")}.`);
  }
  const stage = {
    db,
    jobId: job.id,
    file,
    files: ctx.files,
    expectedColumns: table.columns,
    dialect: { delimiter: params.delimiter, enclosure: params.enclosure, escapedBy: params.escapedBy },
    ...(header && { header }),
  };
  const staged = await stageCsvFile(stage);
  try {
    // A replace rebuilds the key and an upsert meets a row twice: either fails on a key the file
    // holds twice, and only then are its lines looked for. insert and update would not notice.
    const keyFindsDuplicates = mode === "replace" || mode === "upsert";
    if (!keyFindsDuplicates) await assertUniqueKeys(db, staged, table.primaryKey);
    const { changed, stats } = await db.$transaction(async (tx) => {
      // The table may have been dropped, or replaced by another of the same name, while we staged.
      const current = await tx.storageTable.findUnique({ where: { pk: table.pk } });
      if (!current || current.sqlName !== table.sqlName) throw new StorageJobError("tableNotFound", `Table ${table.tableId} was dropped during the import.`);
      const changed = await mergeStaging(tx, {
        target: table.sqlName,
        staging: staged.name,
        columns: table.columns,
        positions: staged.positionsOf(table.columns),
        primaryKey: table.primaryKey,
        mode,
      });
      const stats = await tableStats(tx, table.sqlName);
      await tx.storageTable.update({ where: { pk: table.pk }, data: { rowsCount: stats.rows, dataSizeBytes: stats.bytes, lastImportDate: new Date() } });
      return { changed, stats };
    }, LONG_TRANSACTION).catch((error: unknown) => {
      if (!keyFindsDuplicates || table.primaryKey.length === 0 || !isDuplicateKeyError(error)) throw error;
      return explainDuplicateKey({ ...stage, staged, primaryKey: table.primaryKey, error });
    });
    return {
      results: {
        importedColumns: table.columns,
        importedRowsCount: staged.rows,
        changedRowsCount: changed,
        totalRowsCount: Number(stats.rows),
        totalDataSizeBytes: Number(stats.bytes),
        incremental: params.incremental,
        mode,
        file: { id: file.id.toString() },
      },
      inBytes: file.sizeBytes,
      message: `Imported ${staged.rows} rows into ${table.tableId} (${params.incremental ? `incremental, ${mode}` : "full"})`,
    };
  } finally {
    await staged.drop().catch(() => undefined);
  }
}
