import "server-only";
import type { StorageJob } from "@/lib/generated/prisma/client";
import type { StorageJobJson } from "@/lib/schemas/storage";
import { isFinalStorageStatus, type StorageJobStatus, type StorageOperation } from "@/lib/storage/jobs/state";

export type StorageJobRow = StorageJob & { token: { id: number; description: string } };

export function toStorageJobJson(job: StorageJobRow, origin: string): StorageJobJson {
  const durationSeconds = job.startTime && job.endTime ? Math.max(0, Math.round((job.endTime.getTime() - job.startTime.getTime()) / 1000)) : null;
  return {
    id: job.id.toString(),
    status: job.status as StorageJobStatus,
    url: `${origin}/api/v2/storage/jobs/${job.id}`,
    tableId: job.tableId,
    operationName: job.operationName as StorageOperation,
    operationParams: (job.operationParams as Record<string, unknown> | null) ?? {},
    createdTime: job.createdTime.toISOString(),
    startTime: job.startTime?.toISOString() ?? null,
    endTime: job.endTime?.toISOString() ?? null,
    runId: job.runId,
    results: (job.results as Record<string, unknown> | null) ?? null,
    creatorToken: { id: String(job.token.id), description: job.token.description },
    metrics: {
      inCompressed: job.inCompressed,
      inBytes: Number(job.inBytes),
      inBytesUncompressed: Number(job.inBytesUncompressed),
      outCompressed: job.outCompressed,
      outBytes: Number(job.outBytes),
      outBytesUncompressed: Number(job.outBytesUncompressed),
    },
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? "" } : null,
    isFinished: isFinalStorageStatus(job.status),
    durationSeconds,
  };
}

export const withToken = { token: { select: { id: true, description: true } } } as const;

/** The answer to a request that queued a Storage job: 202 with the job, as Keboola's async calls. */
/** 202 with the new job; 200 and `Idempotent-Replayed: true` for the job an earlier request with the Idempotency-Key made. */
export function acceptedStorageJob(job: StorageJobRow, origin: string, replayed = false): Response {
  const json = toStorageJobJson(job, origin);
  return Response.json(json, { status: replayed ? 200 : 202, headers: { Location: json.url, ...(replayed && { "Idempotent-Replayed": "true" }) } });
}
