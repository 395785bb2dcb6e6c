import "server-only";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { badRequest } from "@/lib/errors";
import { publishStorageWork } from "@/lib/jobs/kill-signal";
import type { StorageOperation } from "@/lib/storage/jobs/state";
import { type StorageJobRow, withToken } from "@/lib/storage/jobs/views";

const RUN_ID = /^\d{1,18}(\.\d{1,18})*$/;

/** The run a Storage job belongs to, from the `X-KBC-RunId` header (absent: none). */
export function parseRunIdHeader(raw: string | null): string | null {
  if (raw === null || raw.trim() === "") return null;
  if (!RUN_ID.test(raw.trim())) throw badRequest("invalidRunId", "X-KBC-RunId must be a run id such as 123 or 123.456.");
  return raw.trim();
}

/** Queues a Storage operation as `waiting` and wakes an idle storage slot to pick it up. */
export async function enqueueStorageJob(options: {
  db: Db;
  auth: AuthContext;
  operationName: StorageOperation;
  tableId: string | null;
  operationParams: Record<string, unknown>;
  runId: string | null;
}): Promise<StorageJobRow> {
  const job = await options.db.storageJob.create({
    data: {
      projectId: options.auth.projectId,
      tokenId: options.auth.tokenId,
      operationName: options.operationName,
      tableId: options.tableId,
      operationParams: options.operationParams as object,
      runId: options.runId,
      status: "waiting",
    },
    include: withToken,
  });
  await publishStorageWork(options.db);
  return job;
}
