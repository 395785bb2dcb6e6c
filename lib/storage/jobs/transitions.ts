import "server-only";
// The conditional updates that move a Storage job. Each names the status it expects, so a job that
// another worker reclaimed (its lease had run out) cannot be finished twice.
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import type { StorageJob } from "@/lib/generated/prisma/client";

// The same lease as component jobs (JOBDECK_LEASE_SECONDS): a Storage job whose worker died runs
// again within seconds, not minutes, while the component job that waits for it still holds its own.
export const LEASE_MS = env.JOBDECK_LEASE_SECONDS * 1000;
export const MAX_ATTEMPTS = 3;

/**
 * Claims the oldest waiting Storage job (or one whose worker stopped renewing its lease) with
 * FOR UPDATE SKIP LOCKED: many workers, on many machines, never claim the same job.
 */
export async function claimNextStorageJob(options: { db: Db; workerId: string; now?: Date }): Promise<StorageJob | null> {
  const now = options.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
  const claimed = await options.db.$queryRaw<{ id: bigint }[]>`
    UPDATE "StorageJob"
       SET status = 'processing', "startTime" = COALESCE("startTime", ${now}), "workerId" = ${options.workerId},
           "leaseExpiresAt" = ${leaseUntil}, attempt = attempt + 1
     WHERE id = (SELECT id FROM "StorageJob"
                  WHERE status = 'waiting' OR (status = 'processing' AND "leaseExpiresAt" < ${now})
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  const id = claimed[0]?.id;
  return id === undefined ? null : options.db.storageJob.findUnique({ where: { id: BigInt(id) } });
}

export async function renewLease(options: { db: Db; jobId: bigint; workerId: string }): Promise<void> {
  await options.db.storageJob.updateMany({
    where: { id: options.jobId, status: "processing", workerId: options.workerId },
    data: { leaseExpiresAt: new Date(Date.now() + LEASE_MS) },
  });
}

export type StorageJobEnd =
  | {
      status: "success";
      results: Record<string, unknown>;
      inBytes?: bigint;
      outBytes?: bigint;
      inCompressed?: boolean;
      inBytesUncompressed?: bigint;
      outCompressed?: boolean;
      outBytesUncompressed?: bigint;
    }
  | { status: "error"; code: string; message: string };

/** Ends a processing job that this worker holds; false when it no longer holds it. */
export async function finishStorageJob(options: { db: Db; jobId: bigint; workerId: string; end: StorageJobEnd; now?: Date }): Promise<boolean> {
  const { end } = options;
  const { count } = await options.db.storageJob.updateMany({
    where: { id: options.jobId, status: "processing", workerId: options.workerId },
    data: {
      status: end.status,
      endTime: options.now ?? new Date(),
      leaseExpiresAt: null,
      ...(end.status === "success"
        ? {
            results: end.results as object,
            inBytes: end.inBytes ?? 0n,
            outBytes: end.outBytes ?? 0n,
            // Uncompressed sizes default to the stored ones (an uncompressed file).
            inCompressed: end.inCompressed ?? false,
            inBytesUncompressed: end.inBytesUncompressed ?? end.inBytes ?? 0n,
            outCompressed: end.outCompressed ?? false,
            outBytesUncompressed: end.outBytesUncompressed ?? end.outBytes ?? 0n,
            errorCode: null,
            errorMessage: null,
          }
        : { errorCode: end.code, errorMessage: end.message.slice(0, 2000) }),
    },
  });
  return count === 1;
}
