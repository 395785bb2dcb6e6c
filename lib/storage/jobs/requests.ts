import "server-only";
// What the API asks of Storage: each function checks what it can at once (the table exists, the
// file exists, the columns are the table's), so a mistake is a 4xx now rather than a failed job
// later, and queues the Storage job. The worker checks again when it runs.
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, invalidInput } from "@/lib/errors";
import type { Reservation } from "@/lib/jobs/idempotency";
import type { CreateTableAsyncInput, CsvOptions, DeleteRowsInput, ExportFilters, ImportAsyncInput } from "@/lib/schemas/storage";
import { findBucket } from "@/lib/storage/buckets";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { getFile } from "@/lib/storage/files/get-file";
import { resolveSlices } from "@/lib/storage/files/sliced-file";
import { columnNamesProblem } from "@/lib/storage/identifiers";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { enqueueStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { checkFilterColumns, findTable } from "@/lib/storage/tables";

/**
 * `reservation`: the request's Idempotency-Key, taken by the job it queues (lib/jobs/idempotency.ts).
 * `store`/`filesDir`: where Files are (tests; else the default store).
 */
type Common = { db: Db; auth: AuthContext; runId: string | null; reservation?: Reservation | null; store?: FileStore; filesDir?: string };

/** The data file, uploaded; a sliced one with every slice of its manifest there (a 422 naming the slice that is not). */
async function requireFile(options: Common & { fileId: string }) {
  let file;
  try {
    file = await getFile({ db: options.db, projectId: options.auth.projectId, id: options.fileId, store: options.store, filesDir: options.filesDir });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw invalidInput(`dataFileId: file ${options.fileId} was not found (or has expired)`, "dataFileId");
    throw error;
  }
  if (file.isSliced) {
    await resolveSlices({ db: options.db, file, store: pickFileStore(options) }).catch((error: unknown) => {
      throw error instanceof StorageJobError ? invalidInput(`dataFileId: ${error.message}`, "dataFileId") : error;
    });
  }
  return file;
}

export async function requestTableCreate(options: Common & { bucketId: string; input: CreateTableAsyncInput }) {
  const { db, auth, input } = options;
  const bucket = await findBucket({ db, projectId: auth.projectId, bucketId: options.bucketId });
  const tableId = `${bucket.bucketId}.${input.name}`;
  if (await db.storageTable.findUnique({ where: { projectId_tableId: { projectId: auth.projectId, tableId } } })) {
    throw new ApiError(409, "tableExists", `Table ${tableId} already exists.`);
  }
  const columnsProblem = input.columns ? columnNamesProblem(input.columns) : null;
  if (columnsProblem) throw invalidInput(`columns: ${columnsProblem}`, "columns");
  const file = await requireFile({ ...options, fileId: input.dataFileId });
  if (file.isSliced && !input.columns?.length) throw invalidInput(`columns: file ${file.id} is sliced and its slices have no header; give the table's columns`, "columns");
  return enqueueStorageJob({
    db,
    auth,
    runId: options.runId,
    reservation: options.reservation,
    operationName: "tableCreate",
    tableId,
    operationParams: {
      bucketId: bucket.bucketId,
      name: input.name,
      dataFileId: input.dataFileId,
      primaryKey: input.primaryKey ?? [],
      ...csvParams(input.csv),
      ...(input.columns && input.columns.length > 0 && { columns: input.columns }),
    },
  });
}

export async function requestTableImport(options: Common & { tableId: string; input: ImportAsyncInput }) {
  const { db, auth, input } = options;
  const table = await findTable({ db, projectId: auth.projectId, tableId: options.tableId });
  if (input.action === "update" && table.primaryKey.length === 0) {
    throw invalidInput(`action: "${input.action}" needs a table with a primary key; ${table.tableId} has none`, "action");
  }
  if (input.action && !input.incremental) throw invalidInput("action: only an incremental import takes an action", "action");
  const unknown = (input.columns ?? []).find((c: string) => !table.columns.includes(c));
  if (unknown !== undefined) throw invalidInput(`columns: "${unknown}" is not a column of ${table.tableId}`, "columns");
  await requireFile({ ...options, fileId: input.dataFileId });
  return enqueueStorageJob({
    db,
    auth,
    runId: options.runId,
    reservation: options.reservation,
    operationName: "tableImport",
    tableId: table.tableId,
    operationParams: {
      dataFileId: input.dataFileId,
      incremental: input.incremental,
      ...(input.action && { action: input.action }),
      ...csvParams(input.csv),
      ...(input.columns && input.columns.length > 0 && { columns: input.columns }),
    },
  });
}

export async function requestTableOperation(options: Common & { tableId: string; operationName: "tableExport" | "tableDrop" | "tableSnapshotCreate" }) {
  const table = await findTable({ db: options.db, projectId: options.auth.projectId, tableId: options.tableId });
  return enqueueStorageJob({ ...options, tableId: table.tableId, operationParams: {} });
}

/**
 * tableExport with Keboola's filters: `columns` (chosen and ordered), `whereColumn`/`whereValues`/
 * `whereOperator`, `limit`. The columns must be the table's (422 naming the field).
 */
export async function requestTableExport(options: Common & { tableId: string; filters?: ExportFilters; file?: KeboolaExportFile }) {
  const { db, auth } = options;
  const filters = options.filters ?? {};
  const table = await findTable({ db, projectId: auth.projectId, tableId: options.tableId });
  checkFilterColumns(table, filters);
  return enqueueStorageJob({
    db,
    auth,
    runId: options.runId,
    reservation: options.reservation,
    operationName: "tableExport",
    tableId: table.tableId,
    operationParams: {
      ...(filters.columns && filters.columns.length > 0 && { columns: filters.columns }),
      ...(filters.whereColumn !== undefined && { whereColumn: filters.whereColumn, whereValues: filters.whereValues ?? [], whereOperator: filters.whereOperator ?? "eq" }),
      ...(filters.limit !== undefined && { limit: filters.limit }),
      ...(options.file && { fileFormat: "rfc", ...(options.file.gzip && { gzip: true }) }),
    },
  });
}

/**
 * An export as Keboola's Storage API writes it (export-async): RFC 4180 with every value quoted,
 * no header (Keboola's clients add it from the table's columns), gzipped when asked. Without it, an
 * export is Jobdeck's own CSV with a header (what components' input mapping reads).
 */
export type KeboolaExportFile = { gzip: boolean };

export async function requestRowsDelete(options: Common & { tableId: string; input: DeleteRowsInput }) {
  const { db, auth, input } = options;
  const table = await findTable({ db, projectId: auth.projectId, tableId: options.tableId });
  for (const [field, column] of [["whereColumn", input.whereColumn], ["timestampColumn", input.timestampColumn]] as const) {
    if (column !== undefined && !table.columns.includes(column)) throw invalidInput(`${field}: "${column}" is not a column of ${table.tableId}`, field);
  }
  return enqueueStorageJob({
    db,
    auth,
    runId: options.runId,
    reservation: options.reservation,
    operationName: "tableRowsDelete",
    tableId: table.tableId,
    operationParams: {
      ...(input.whereColumn !== undefined && { whereColumn: input.whereColumn, whereValues: input.whereValues, whereOperator: input.whereOperator }),
      ...(input.timestampColumn !== undefined && { timestampColumn: input.timestampColumn, before: input.before?.toISOString() }),
    },
  });
}

/** Only what differs from RFC 4180 with a header goes into the job's parameters. */
function csvParams(csv: Partial<CsvOptions> | undefined) {
  if (!csv) return {};
  return {
    ...(csv.delimiter !== undefined && csv.delimiter !== "," && { delimiter: csv.delimiter }),
    ...(csv.enclosure !== undefined && csv.enclosure !== '"' && { enclosure: csv.enclosure }),
    // An escape that is the enclosure itself is the default rule (a doubled enclosure).
    ...(csv.escapedBy && csv.escapedBy !== (csv.enclosure ?? '"') && { escapedBy: csv.escapedBy }),
    ...(csv.withoutHeaders && { withoutHeaders: true }),
  };
}
