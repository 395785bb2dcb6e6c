// Storage jobs as HarperDB's jobs API shows them.
import type { HarperJob, HarperStatus } from "@/lib/schemas/operations";
import type { StorageJobJson } from "@/lib/schemas/storage";
import type { StorageJobStatus, StorageOperation } from "@/lib/storage/jobs/state";

const STATUS: Record<StorageJobStatus, HarperStatus> = {
  waiting: "IN_PROGRESS",
  processing: "IN_PROGRESS",
  success: "COMPLETE",
  error: "ERROR",
};

/** THE mapping from a Storage job's status to HarperDB's. */
export function harperStatus(status: StorageJobStatus): HarperStatus {
  return STATUS[status];
}

const TYPES: Partial<Record<StorageOperation, string>> = {
  tableImport: "csv_data_load",
  tableExport: "export_local",
  tableRowsDelete: "delete_records_before",
};

/** The operation that started a job: HarperDB's name when one did (kept in operationParams), else ours. */
function harperType(job: StorageJobJson): string {
  const named = (job.operationParams as { harperOperation?: unknown }).harperOperation;
  return typeof named === "string" ? named : (TYPES[job.operationName] ?? job.operationName);
}

export function toHarperJob(job: StorageJobJson): HarperJob {
  const status = harperStatus(job.status);
  const millis = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  const created = millis(job.createdTime)!;
  return {
    id: job.id,
    type: harperType(job),
    status,
    message: job.error?.message ?? (status === "COMPLETE" ? `${job.operationName} of ${job.tableId ?? "storage"} completed` : `${job.operationName} is ${job.status}`),
    user: job.creatorToken.description,
    job_body: null,
    created_datetime: created,
    start_datetime: millis(job.startTime),
    end_datetime: millis(job.endTime),
    start_datetime_converted: job.startTime,
    end_datetime_converted: job.endTime,
    // HarperDB's record times: made when the job was, last changed when it last moved.
    __createdtime__: created,
    __updatedtime__: millis(job.endTime) ?? millis(job.startTime) ?? created,
    table: job.tableId,
    result: job.results,
    storage_job: job.url,
  };
}
