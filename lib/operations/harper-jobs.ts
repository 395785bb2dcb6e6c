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

export function toHarperJob(job: StorageJobJson): HarperJob {
  const status = harperStatus(job.status);
  const millis = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  return {
    id: job.id,
    type: TYPES[job.operationName] ?? job.operationName,
    status,
    message: job.error?.message ?? (status === "COMPLETE" ? `${job.operationName} of ${job.tableId ?? "storage"} completed` : `${job.operationName} is ${job.status}`),
    user: job.creatorToken.description,
    table: job.tableId,
    created_datetime: millis(job.createdTime)!,
    start_datetime: millis(job.startTime),
    end_datetime: millis(job.endTime),
    result: job.results,
    storage_job: job.url,
  };
}
