import "server-only";
// POST /api/operations: HarperDB's job operations on top of Storage jobs.
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, invalidInput } from "@/lib/errors";
import { deliverToParams } from "@/lib/operations/deliver-export";
import { toHarperJob } from "@/lib/operations/harper-jobs";
import { openS3Csv, openServerCsv, openUrlCsv } from "@/lib/operations/sources";
import type { HarperJob, OperationInput } from "@/lib/schemas/operations";
import { deleteRowsSchema, importAsyncSchema, listStorageJobsSchema } from "@/lib/schemas/storage";
import type { Reservation } from "@/lib/jobs/idempotency";
import type { FileStore } from "@/lib/storage/files/file-store";
import { storeFile } from "@/lib/storage/files/store-file";
import { BUCKET_ID_PATTERN, NAME_PATTERN, parseTableId } from "@/lib/storage/identifiers";
import { enqueueStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { getStorageJob } from "@/lib/storage/jobs/get-storage-job";
import { listStorageJobs } from "@/lib/storage/jobs/list-storage-jobs";
import { requestRowsDelete, requestTableCreate, requestTableImport, requestTableOperation } from "@/lib/storage/jobs/requests";
import { findTable } from "@/lib/storage/tables";

type Started = { message: string; job_id: string };

// HarperDB's default database.
const DEFAULT_DATABASE = "data";

/**
 * `table` as a full table id, or HarperDB's `database` (or `schema`) with `table`: the database is
 * a bucket id (in.c-main) or a plain name, meaning the `in` bucket of that name (dev → in.c-dev).
 */
export function resolveTableId(input: { database?: string; schema?: string; table: string }): string {
  if (parseTableId(input.table)) return input.table;
  const database = input.database ?? input.schema ?? DEFAULT_DATABASE;
  const bucketId = BUCKET_ID_PATTERN.test(database) ? database : NAME_PATTERN.test(database) ? `in.c-${database}` : null;
  const field = input.database !== undefined ? "database" : "schema";
  if (bucketId === null) throw invalidInput(`${field}: "${database.slice(0, 120)}" is neither a bucket id such as in.c-main nor a plain name such as dev`, field);
  const tableId = `${bucketId}.${input.table}`;
  if (!parseTableId(tableId)) throw invalidInput(`table: "${input.table.slice(0, 250)}" is not a table name (letters, digits, _ and -) nor a table id such as in.c-main.orders`, "table");
  return tableId;
}

/** HarperDB's answer to an operation that starts a job (also a replay of an Idempotency-Key). */
export const started = (job: { id: bigint }): Started => ({ message: `Starting job with id ${job.id}`, job_id: job.id.toString() });

type LoadInput = Extract<OperationInput, { operation: "csv_data_load" | "csv_file_load" | "csv_url_load" | "import_from_s3" }>;

export async function runHarperOperation(options: {
  db: Db;
  auth: AuthContext;
  input: OperationInput;
  origin: string;
  runId: string | null;
  /** The request's Idempotency-Key, taken by the Storage job the operation queues. */
  reservation?: Reservation | null;
  filesDir?: string;
  store?: FileStore;
}): Promise<Started | HarperJob[]> {
  const { db, auth, input, runId, reservation } = options;
  switch (input.operation) {
    case "csv_data_load":
    case "csv_file_load":
    case "csv_url_load":
    case "import_from_s3":
      return load(options, input);
    case "export_to_s3": {
      const tableId = exportTableId(input);
      const table = await findTable({ db, projectId: auth.projectId, tableId });
      const job = await enqueueStorageJob({
        db,
        auth,
        runId,
        reservation,
        operationName: "tableExport",
        tableId: table.tableId,
        operationParams: { harperOperation: "export_to_s3", deliverTo: deliverToParams(input.s3, auth.projectId) },
      });
      return started(job);
    }
    case "export_local":
      return started(await requestTableOperation({ db, auth, runId, reservation, tableId: resolveTableId(input), operationName: "tableExport" }));
    case "delete_records_before": {
      const parsed = deleteRowsSchema.safeParse({ timestampColumn: input.column, before: input.date });
      if (!parsed.success) throw invalidInput(`column: "${input.column.slice(0, 64)}" is not a column name`, "column");
      return started(await requestRowsDelete({ db, auth, runId, reservation, tableId: resolveTableId(input), input: parsed.data }));
    }
    case "get_job":
      return [toHarperJob(await getStorageJob({ db, projectId: auth.projectId, id: input.id, origin: options.origin }))];
    case "search_jobs_by_start_date": {
      const jobs = await listStorageJobs({
        db,
        projectId: auth.projectId,
        input: listStorageJobsSchema.parse({ limit: 500 }),
        origin: options.origin,
        createdBetween: { from: new Date(input.from_date), to: new Date(input.to_date) },
      });
      return jobs.map(toHarperJob);
    }
  }
}

/**
 * The CSV loads: the bytes become a File (any worker can read it), then an incremental import
 * (HarperDB's insert/update/upsert) into the table; or, when the table does not exist yet but its
 * bucket does, a table created from the file, as HarperDB makes what a load needs.
 */
async function load(options: Parameters<typeof runHarperOperation>[0], input: LoadInput): Promise<Started> {
  const { db, auth, runId, reservation } = options;
  const tableId = resolveTableId(input);
  const parsed = parseTableId(tableId)!;
  // The table (or its bucket) first: an unknown one should not leave the CSV behind as a File.
  const existing = await db.storageTable.findUnique({ where: { projectId_tableId: { projectId: auth.projectId, tableId } } });
  if (!existing && !(await db.bucket.findUnique({ where: { projectId_bucketId: { projectId: auth.projectId, bucketId: parsed.bucketId } } }))) {
    throw new ApiError(404, "notFound", `Table ${tableId} was not found, nor its bucket ${parsed.bucketId} to create it in.`);
  }
  if (!existing && input.action !== "insert") {
    throw invalidInput(`action: "${input.action}" needs an existing table with a primary key; ${tableId} does not exist yet (an insert creates it)`, "action");
  }
  const source = await openSource(input);
  const file = await storeFile({
    db,
    projectId: auth.projectId,
    tokenId: auth.tokenId,
    name: source.name,
    source: source.stream,
    tags: [input.operation],
    runId,
    contentType: "text/csv",
    filesDir: options.filesDir,
    store: options.store,
  }).catch((error: unknown) => {
    source.stream.destroy();
    throw error;
  });
  const job = existing
    ? await requestTableImport({ db, auth, runId, reservation, tableId, input: importAsyncSchema.parse({ dataFileId: file.id.toString(), incremental: true, action: input.action }) })
    : await requestTableCreate({ db, auth, runId, reservation, bucketId: parsed.bucketId, input: { name: parsed.name, dataFileId: file.id.toString(), primaryKey: [] } });
  // get_job names the HarperDB operation (a label only: the worker reads the other parameters).
  await db.storageJob.update({ where: { id: job.id }, data: { operationParams: { ...(job.operationParams as object), harperOperation: input.operation } } });
  return started(job);
}

async function openSource(input: LoadInput): Promise<{ stream: Readable; name: string }> {
  switch (input.operation) {
    case "csv_data_load":
      return { stream: Readable.from([Buffer.from(input.data, "utf8")]), name: "csv_data_load.csv" };
    case "csv_file_load":
      return openServerCsv(input.file_path);
    case "csv_url_load":
      return openUrlCsv(input.csv_url);
    case "import_from_s3":
      return openS3Csv(input.s3);
  }
}

/** export_to_s3's table: ours (database + table), or HarperDB's `SELECT * FROM database.table`. */
function exportTableId(input: Extract<OperationInput, { operation: "export_to_s3" }>): string {
  if (input.table) return resolveTableId({ database: input.database, schema: input.schema, table: input.table });
  const sql = input.search_operation?.sql;
  const match = sql === undefined ? null : /^\s*select\s+\*\s+from\s+([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\s*;?\s*$/i.exec(sql);
  if (!match) {
    throw invalidInput(
      "search_operation: Jobdeck exports whole tables: give `table` (with `database`), or a search_operation whose sql is `SELECT * FROM database.table`",
      input.search_operation ? "search_operation" : "table",
    );
  }
  const name = match[1]!;
  if (parseTableId(name)) return name;
  const dot = name.lastIndexOf(".");
  return dot < 0 ? resolveTableId({ table: name }) : resolveTableId({ database: name.slice(0, dot), table: name.slice(dot + 1) });
}
