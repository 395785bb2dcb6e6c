import "server-only";
// POST /api/operations: HarperDB's job operations on top of Storage jobs.
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { invalidInput } from "@/lib/errors";
import { toHarperJob } from "@/lib/operations/harper-jobs";
import type { HarperJob, OperationInput } from "@/lib/schemas/operations";
import { deleteRowsSchema, importAsyncSchema, listStorageJobsSchema } from "@/lib/schemas/storage";
import { storeFile } from "@/lib/storage/files/store-file";
import { parseTableId } from "@/lib/storage/identifiers";
import { getStorageJob } from "@/lib/storage/jobs/get-storage-job";
import { listStorageJobs } from "@/lib/storage/jobs/list-storage-jobs";
import { requestRowsDelete, requestTableImport, requestTableOperation } from "@/lib/storage/jobs/requests";
import { findTable } from "@/lib/storage/tables";

type Started = { message: string; job_id: string };

/** `table` as a full table id, or `schema` (a bucket id) + `table` (a table name). */
export function resolveTableId(input: { schema?: string; table: string }): string {
  const tableId = parseTableId(input.table) ? input.table : input.schema ? `${input.schema}.${input.table}` : input.table;
  if (!parseTableId(tableId)) throw invalidInput(`table: "${tableId.slice(0, 250)}" is not a table id such as in.c-main.orders (or schema "in.c-main" with table "orders")`, "table");
  return tableId;
}

const started = (job: { id: bigint }): Started => ({ message: `Starting job with id ${job.id}`, job_id: job.id.toString() });

export async function runHarperOperation(options: {
  db: Db;
  auth: AuthContext;
  input: OperationInput;
  origin: string;
  runId: string | null;
  filesDir?: string;
}): Promise<Started | HarperJob[]> {
  const { db, auth, input, runId } = options;
  switch (input.operation) {
    case "csv_data_load": {
      const tableId = resolveTableId(input);
      // The table first: an unknown one should not leave the inline CSV behind as a File.
      await findTable({ db, projectId: auth.projectId, tableId });
      const file = await storeFile({
        db,
        projectId: auth.projectId,
        tokenId: auth.tokenId,
        name: "csv_data_load.csv",
        source: Readable.from([Buffer.from(input.data, "utf8")]),
        tags: ["csv_data_load"],
        runId,
        filesDir: options.filesDir,
      });
      const importInput = importAsyncSchema.parse({ dataFileId: file.id.toString(), incremental: true, action: input.action });
      return started(await requestTableImport({ db, auth, runId, tableId, input: importInput }));
    }
    case "export_local":
      return started(await requestTableOperation({ db, auth, runId, tableId: resolveTableId(input), operationName: "tableExport" }));
    case "delete_records_before": {
      const parsed = deleteRowsSchema.safeParse({ timestampColumn: input.column, before: input.date });
      if (!parsed.success) throw invalidInput(`column: "${input.column.slice(0, 64)}" is not a column name`, "column");
      return started(await requestRowsDelete({ db, auth, runId, tableId: resolveTableId(input), input: parsed.data }));
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
