// THE Storage job lifecycle: waiting → processing → success | error. The worker, the API, the
// dashboard and the HarperDB mapping ask this module which statuses are final.

export const STORAGE_JOB_STATUSES = ["waiting", "processing", "success", "error"] as const;
export type StorageJobStatus = (typeof STORAGE_JOB_STATUSES)[number];

export const STORAGE_OPERATIONS = ["tableCreate", "tableImport", "tableExport", "tableDrop", "tableSnapshotCreate", "tableRowsDelete", "bucketDelete"] as const;
export type StorageOperation = (typeof STORAGE_OPERATIONS)[number];

const FINAL: ReadonlySet<StorageJobStatus> = new Set(["success", "error"]);

export function isFinalStorageStatus(status: string): boolean {
  return FINAL.has(status as StorageJobStatus);
}
