import "server-only";
import type { AuthContext } from "@/lib/auth/tokens";
import { type Db, prismaErrorCode } from "@/lib/db";
import { ApiError, badRequest, notFound } from "@/lib/errors";
import type { Bucket } from "@/lib/generated/prisma/client";
import type { Reservation } from "@/lib/jobs/idempotency";
import type { BucketJson, CreateBucketInput } from "@/lib/schemas/storage";
import { type BucketStage, bucketIdOf, parseBucketId } from "@/lib/storage/identifiers";
import { enqueueStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { dropDataTable } from "@/lib/storage/table-sql";

type BucketWithTables = Bucket & { tables: { tableId: string; name: string; rowsCount: bigint; dataSizeBytes: bigint; lastImportDate: Date | null }[] };

/** Keboola's bucket name: "c-" and the name given at create (the id is `<stage>.c-<name>`). */
export function bucketNameOf(bucket: { bucketId: string }): string {
  return bucket.bucketId.slice(bucket.bucketId.indexOf(".") + 1);
}

export function toBucketJson(bucket: BucketWithTables, origin: string): BucketJson {
  const changes = bucket.tables.map((t) => t.lastImportDate?.getTime() ?? 0).filter((t) => t > 0);
  return {
    id: bucket.bucketId,
    name: bucketNameOf(bucket),
    displayName: bucket.name,
    stage: bucket.stage as BucketStage,
    description: bucket.description,
    uri: `${origin}/api/v2/storage/buckets/${bucket.bucketId}`,
    backend: "postgresql",
    created: bucket.createdAt.toISOString(),
    lastChangeDate: changes.length > 0 ? new Date(Math.max(...changes)).toISOString() : null,
    tables: bucket.tables.map((t) => ({ id: t.tableId, name: t.name, uri: `${origin}/api/v2/storage/tables/${t.tableId}` })),
    attributes: [],
    metadata: [],
    tablesCount: bucket.tables.length,
    rowsCount: Number(bucket.tables.reduce((sum, t) => sum + t.rowsCount, 0n)),
    dataSizeBytes: Number(bucket.tables.reduce((sum, t) => sum + t.dataSizeBytes, 0n)),
  };
}

const withTables = { tables: { select: { tableId: true, name: true, rowsCount: true, dataSizeBytes: true, lastImportDate: true }, orderBy: { tableId: "asc" } } } as const;

export async function listBuckets(options: { db: Db; projectId: number; origin: string }): Promise<BucketJson[]> {
  const buckets = await options.db.bucket.findMany({ where: { projectId: options.projectId }, orderBy: { bucketId: "asc" }, include: withTables });
  return buckets.map((b) => toBucketJson(b, options.origin));
}

export async function createBucket(options: { db: Db; projectId: number; input: CreateBucketInput; origin?: string }): Promise<BucketJson> {
  const { input } = options;
  const bucketId = bucketIdOf(input.stage, input.name);
  const existing = await options.db.bucket.findUnique({ where: { projectId_bucketId: { projectId: options.projectId, bucketId } } });
  if (existing) throw new ApiError(409, "bucketExists", `Bucket ${bucketId} already exists.`);
  const bucket = await options.db.bucket.create({
    data: { projectId: options.projectId, bucketId, stage: input.stage, name: input.name, description: input.description ?? "" },
    include: withTables,
  });
  return toBucketJson(bucket, options.origin ?? "");
}

/** The bucket row; a malformed, unknown or foreign id is "not found". */
export async function findBucket(options: { db: Db; projectId: number; bucketId: string }) {
  const bucket = parseBucketId(options.bucketId)
    ? await options.db.bucket.findUnique({ where: { projectId_bucketId: { projectId: options.projectId, bucketId: options.bucketId } }, include: withTables })
    : null;
  if (!bucket) throw notFound(`Bucket ${options.bucketId.slice(0, 120)}`);
  return bucket;
}

export async function getBucket(options: { db: Db; projectId: number; bucketId: string; origin: string }): Promise<BucketJson> {
  return toBucketJson(await findBucket(options), options.origin);
}

function notEmpty(bucketId: string, tables: number) {
  return badRequest("bucketNotEmpty", `Bucket ${bucketId} still has ${tables} table(s); drop them first, or delete with force=true.`);
}

/**
 * Deletes a bucket now. An empty one always; with `force`, its tables too (rows, physical tables
 * and metadata in one transaction).
 */
export async function deleteBucket(options: { db: Db; projectId: number; bucketId: string; force?: boolean }): Promise<{ droppedTables: string[] }> {
  const bucket = await findBucket(options);
  if (!options.force) {
    if (bucket.tables.length > 0) throw notEmpty(bucket.bucketId, bucket.tables.length);
    // Conditional, so that two deletes at once, or a table created meanwhile, cannot end in a 500.
    const { count } = await options.db.bucket.deleteMany({ where: { pk: bucket.pk, tables: { none: {} } } });
    if (count === 0) {
      const again = await findBucket(options);
      throw notEmpty(again.bucketId, again.tables.length);
    }
    return { droppedTables: [] };
  }
  return dropBucketWithTables(options.db, bucket.pk);
}

/** The bucket, its tables' rows and physical tables, in one transaction (a table created meanwhile goes too). */
export async function dropBucketWithTables(db: Db, bucketPk: number): Promise<{ droppedTables: string[] }> {
  return db.$transaction(async (tx) => {
    const tables = await tx.storageTable.findMany({ where: { bucketPk }, select: { tableId: true, sqlName: true } });
    for (const table of tables) await dropDataTable(tx, table.sqlName);
    const { count } = await tx.bucket.deleteMany({ where: { pk: bucketPk } });
    if (count === 0) throw notFound("The bucket");
    return { droppedTables: tables.map((t) => t.tableId) };
  });
}

/** Keboola's `DELETE buckets/{id}?async=true`: a bucketDelete Storage job (checked now, run by the worker). */
export async function requestBucketDelete(options: { db: Db; auth: AuthContext; runId: string | null; reservation?: Reservation | null; bucketId: string; force: boolean }) {
  const bucket = await findBucket({ db: options.db, projectId: options.auth.projectId, bucketId: options.bucketId });
  if (!options.force && bucket.tables.length > 0) throw notEmpty(bucket.bucketId, bucket.tables.length);
  return enqueueStorageJob({
    db: options.db,
    auth: options.auth,
    runId: options.runId,
    reservation: options.reservation,
    operationName: "bucketDelete",
    tableId: null,
    operationParams: { bucketId: bucket.bucketId, force: options.force },
  });
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
