import "server-only";
import { z } from "zod";
import { dropBucketWithTables } from "@/lib/storage/buckets";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";

const paramsSchema = z.object({ bucketId: z.string(), force: z.boolean().default(false) });

/** bucketDelete: the bucket, and with `force` its tables (Keboola's DELETE buckets/{id}?async=true). */
export async function runBucketDelete(ctx: OperationContext): Promise<OperationOutcome> {
  const { db, job } = ctx;
  const params = paramsSchema.parse(job.operationParams);
  const bucket = await db.bucket.findUnique({ where: { projectId_bucketId: { projectId: job.projectId, bucketId: params.bucketId } }, include: { _count: { select: { tables: true } } } });
  if (!bucket) throw new StorageJobError("bucketNotFound", `Bucket ${params.bucketId} was not found; it may have been deleted.`);
  if (!params.force && bucket._count.tables > 0) {
    throw new StorageJobError("bucketNotEmpty", `Bucket ${params.bucketId} has ${bucket._count.tables} table(s) again; delete it with force=true to drop them.`);
  }
  const { droppedTables } = await dropBucketWithTables(db, bucket.pk);
  return { results: { id: params.bucketId, droppedTables }, message: `Deleted bucket ${params.bucketId}${droppedTables.length > 0 ? ` and its ${droppedTables.length} table(s)` : ""}` };
}
