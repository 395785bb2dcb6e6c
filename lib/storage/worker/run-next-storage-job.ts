import "server-only";
import { type Db, isDatabaseUnavailable } from "@/lib/db";
import { writeEvent } from "@/lib/events/write-event";
import type { StorageJob } from "@/lib/generated/prisma/client";
import { CsvError } from "@/lib/storage/csv/csv-error";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { FileTooLargeError } from "@/lib/storage/files/write-file";
import { toFileWriteError } from "@/lib/storage/files/fs-errors";
import { FileStoreUnavailableError } from "@/lib/storage/files/s3-file-store";
import { databaseWriteProblem, StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { claimNextStorageJob, finishStorageJob, LEASE_MS, MAX_ATTEMPTS, renewLease, type StorageJobEnd } from "@/lib/storage/jobs/transitions";
import { runOperation } from "@/lib/storage/operations/run-operation";

const RENEW_EVERY_MS = Math.floor(LEASE_MS / 3);

/** User errors keep their words; anything unexpected gets a reference and goes to the log. */
export function classifyFailure(error: unknown, job: StorageJob): StorageJobEnd & { status: "error" } {
  if (error instanceof CsvError) return { status: "error", code: "invalidCsv", message: error.message };
  if (error instanceof StorageJobError) return { status: "error", code: error.code, message: error.message };
  if (error instanceof FileTooLargeError) return { status: "error", code: "fileTooLarge", message: error.message };
  if (error instanceof FileStoreUnavailableError) return { status: "error", code: "fileStoreUnavailable", message: error.message };
  const fileError = toFileWriteError(error);
  if (fileError) return { status: "error", code: fileError.code, message: fileError.message };
  const databaseError = databaseWriteProblem(error);
  if (databaseError) {
    console.error(`[storage-worker] job ${job.id} (${job.operationName}): ${databaseError.message}`, error);
    return { status: "error", code: databaseError.code, message: databaseError.message };
  }
  const reference = Math.random().toString(36).slice(2, 10);
  console.error(`[storage-worker] job ${job.id} (${job.operationName}) failed, reference ${reference}`, error);
  return { status: "error", code: "internalError", message: `Internal error (reference ${reference}); the details are in the server log.` };
}

/**
 * Claims one Storage job, runs it, and reports. Returns the job's id, or null when none waited.
 * Logs the job id, attempt and duration; renews the lease while the operation runs.
 */
export async function runNextStorageJob(options: {
  db: Db;
  workerId: string;
  filesDir?: string;
  store?: FileStore;
  /** Called once a job is claimed, before it runs (the storage worker wakes another slot: more may wait). */
  onClaimed?: () => void;
}): Promise<{ id: bigint; status: "success" | "error" } | null> {
  const { db, workerId } = options;
  const job = await claimNextStorageJob({ db, workerId });
  if (!job) return null;
  options.onClaimed?.();
  const started = Date.now();
  const renew = setInterval(() => void renewLease({ db, jobId: job.id, workerId }).catch(() => undefined), RENEW_EVERY_MS);
  let end: StorageJobEnd;
  let message: string;
  try {
    if (job.attempt > MAX_ATTEMPTS) {
      throw new StorageJobError("tooManyAttempts", `Gave up after ${MAX_ATTEMPTS} attempts; the workers running it stopped.`);
    }
    const outcome = await runOperation({ db, job, files: pickFileStore(options) });
    const { results, inBytes, outBytes, inCompressed, inBytesUncompressed, outCompressed, outBytesUncompressed } = outcome;
    end = { status: "success", results, inBytes, outBytes, inCompressed, inBytesUncompressed, outCompressed, outBytesUncompressed };
    message = outcome.message;
  } catch (error) {
    // The database went away: leave the job to be claimed again when its lease runs out.
    if (isDatabaseUnavailable(error)) throw error;
    const failure = classifyFailure(error, job);
    end = failure;
    message = `${job.operationName} of ${job.tableId ?? "storage"} failed: ${failure.message}`;
  } finally {
    clearInterval(renew);
  }
  const finished = await finishStorageJob({ db, jobId: job.id, workerId, end });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[storage-worker] job ${job.id} ${job.operationName} attempt ${job.attempt}: ${end.status} in ${seconds} s${finished ? "" : " (no longer ours)"}`);
  if (finished) {
    await writeEvent({
      db,
      event: {
        projectId: job.projectId,
        runId: job.runId,
        event: `storage.${job.operationName}${end.status === "success" ? "Done" : "Error"}`,
        component: "storage",
        message,
        type: end.status === "success" ? "success" : "error",
        params: { storageJobId: job.id.toString(), tableId: job.tableId, ...((job.operationParams as object | null) ?? {}) },
        results: end.status === "success" ? end.results : { error: { code: end.code, message: end.message } },
      },
    }).catch((error: unknown) => console.error(`[storage-worker] could not write the event of job ${job.id}`, error));
  }
  return { id: job.id, status: end.status };
}
