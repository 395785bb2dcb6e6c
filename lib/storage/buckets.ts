import "server-only";
import { type Db, prismaErrorCode } from "@/lib/db";
import { ApiError, badRequest, notFound } from "@/lib/errors";
import type { Bucket } from "@/lib/generated/prisma/client";
import type { BucketJson, CreateBucketInput } from "@/lib/schemas/storage";
import { type BucketStage, bucketIdOf, parseBucketId } from "@/lib/storage/identifiers";

type BucketWithTables = Bucket & { tables: { rowsCount: bigint; dataSizeBytes: bigint }[] };

export function toBucketJson(bucket: BucketWithTables): BucketJson {
  return {
    id: bucket.bucketId,
    name: bucket.name,
    stage: bucket.stage as BucketStage,
    description: bucket.description,
    created: bucket.createdAt.toISOString(),
    tablesCount: bucket.tables.length,
    rowsCount: Number(bucket.tables.reduce((sum, t) => sum + t.rowsCount, 0n)),
    dataSizeBytes: Number(bucket.tables.reduce((sum, t) => sum + t.dataSizeBytes, 0n)),
  };
}

const withTables = { tables: { select: { rowsCount: true, dataSizeBytes: true } } } as const;

export async function listBuckets(options: { db: Db; projectId: number }): Promise<BucketJson[]> {
  const buckets = await options.db.bucket.findMany({ where: { projectId: options.projectId }, orderBy: { bucketId: "asc" }, include: withTables });
  return buckets.map(toBucketJson);
}

export async function createBucket(options: { db: Db; projectId: number; input: CreateBucketInput }): Promise<BucketJson> {
  const { input } = options;
  const bucketId = bucketIdOf(input.stage, input.name);
  const existing = await options.db.bucket.findUnique({ where: { projectId_bucketId: { projectId: options.projectId, bucketId } } });
  if (existing) throw new ApiError(409, "bucketExists", `Bucket ${bucketId} already exists.`);
  const bucket = await options.db.bucket.create({
    data: { projectId: options.projectId, bucketId, stage: input.stage, name: input.name, description: input.description ?? "" },
    include: withTables,
  });
  return toBucketJson(bucket);
}

/** The bucket row; a malformed, unknown or foreign id is "not found". */
export async function findBucket(options: { db: Db; projectId: number; bucketId: string }) {
  const bucket = parseBucketId(options.bucketId)
    ? await options.db.bucket.findUnique({ where: { projectId_bucketId: { projectId: options.projectId, bucketId: options.bucketId } }, include: withTables })
    : null;
  if (!bucket) throw notFound(`Bucket ${options.bucketId.slice(0, 120)}`);
  return bucket;
}

export async function getBucket(options: { db: Db; projectId: number; bucketId: string }): Promise<BucketJson> {
  return toBucketJson(await findBucket(options));
}

/** Deletes an empty bucket; tables are dropped first, each by its own Storage job. */
export async function deleteBucket(options: { db: Db; projectId: number; bucketId: string }): Promise<void> {
  const bucket = await findBucket(options);
  if (bucket.tables.length > 0) {
    throw badRequest("bucketNotEmpty", `Bucket ${bucket.bucketId} still has ${bucket.tables.length} table(s); drop them first.`);
  }
  // Conditional, so that two deletes at once, or a table created meanwhile, cannot end in a 500.
  const { count } = await options.db.bucket.deleteMany({ where: { pk: bucket.pk, tables: { none: {} } } });
  if (count === 0) {
    const again = await findBucket(options);
    throw badRequest("bucketNotEmpty", `Bucket ${again.bucketId} still has ${again.tables.length} table(s); drop them first.`);
  }
}

/** The bucket a new table goes into, created on first use (as Keboola's output mapping does). */
export async function ensureBucket(options: { db: Db; projectId: number; stage: BucketStage; name: string }) {
  const bucketId = bucketIdOf(options.stage, options.name);
  const where = { projectId_bucketId: { projectId: options.projectId, bucketId } };
  // Prisma's upsert reads, then inserts: of two jobs making the bucket at once, one loses the insert.
  return options.db.bucket.upsert({ where, update: {}, create: { projectId: options.projectId, bucketId, stage: options.stage, name: options.name } }).catch((error: unknown) => {
    if (prismaErrorCode(error) === "P2002") return options.db.bucket.findUniqueOrThrow({ where });
    throw error;
  });
}
