import "server-only";
import { createHash } from "node:crypto";
import { type Db, type DbClient, prismaErrorCode } from "@/lib/db";
import { badRequest, ApiError } from "@/lib/errors";

// `Idempotency-Key` on requests that start jobs: a client that lost the answer (a timeout, a hang-up)
// sends the same request again with the same key and gets the job the first one made, never a second.
// Keys are per project and last 24 hours; the key is stored in the transaction that creates the job,
// under a unique constraint, so two concurrent retries make one job.
//
// Storage and HarperDB requests check files, tables and buckets (even store a File) before their
// Storage job exists, so they reserve the key first (startOnce): a retry while the first request is
// still being handled is a 409 `idempotencyKeyInProgress`; the job's insert takes the reservation in
// its transaction; a request that fails frees the key; a reservation left by a process that died is
// taken over after RESERVATION_LEASE_MS.

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const RESERVATION_LEASE_MS = 60_000;

export type Idempotency = { key: string; requestHash: string };
/** A key held by a Storage request that has not made its job yet (enqueueStorageJob takes it). */
export type Reservation = { projectId: number; key: string; reservedAt: Date };

const reused = () =>
  new ApiError(422, "idempotencyKeyReused", "This Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new request.");
const inProgress = () =>
  new ApiError(409, "idempotencyKeyInProgress", "A request with this Idempotency-Key is still being handled; send it again in a moment to get its job.");

/** The header's key and a digest of what the request asks (operation and body), or null without the header. */
export function idempotencyOf(headers: Headers, operation: string, body: unknown): Idempotency | null {
  const raw = headers.get(IDEMPOTENCY_HEADER);
  if (raw === null) return null;
  const key = raw.trim();
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw badRequest("invalidIdempotencyKey", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  return { key, requestHash: createHash("sha256").update(operation).update("\n").update(JSON.stringify(body) ?? "").digest("hex") };
}

/** The job a still-valid key made, or null; a key reused for another request is a 422. */
export async function findIdempotentJob(options: { db: DbClient; projectId: number; idempotency: Idempotency; now?: Date }): Promise<bigint | null> {
  const { db, projectId, idempotency } = options;
  const now = options.now ?? new Date();
  const found = await db.idempotencyKey.findUnique({ where: { projectId_key: { projectId, key: idempotency.key } } });
  if (!found || found.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS) return null;
  // A key a Storage request holds or used is not this Queue request's either.
  if (found.requestHash !== idempotency.requestHash || found.jobId === null) throw reused();
  return found.jobId;
}

/**
 * Runs a Storage request once per key: `start` with the reservation its job's insert must take,
 * or the earlier request's Storage job through `replay`. Without a key, `start` runs as it is.
 */
export async function startOnce<T>(options: {
  db: Db;
  projectId: number;
  idempotency: Idempotency | null;
  start: (reservation: Reservation | null) => Promise<T>;
  replay: (storageJobId: bigint) => Promise<T>;
}): Promise<{ value: T; replayed: boolean }> {
  const { db, projectId, idempotency } = options;
  if (!idempotency) return { value: await options.start(null), replayed: false };
  const { key, requestHash } = idempotency;
  // Twice at most: a reservation that vanished or expired between the read and the insert.
  for (let round = 0; round < 2; round++) {
    const now = new Date();
    const found = await db.idempotencyKey.findUnique({ where: { projectId_key: { projectId, key } } });
    if (found && found.createdAt.getTime() > now.getTime() - IDEMPOTENCY_TTL_MS) {
      if (found.requestHash !== requestHash || found.jobId !== null) throw reused();
      if (found.storageJobId !== null) return { value: await options.replay(found.storageJobId), replayed: true };
      if (found.createdAt.getTime() > now.getTime() - RESERVATION_LEASE_MS) throw inProgress();
    }
    // Expired, or a reservation its request abandoned: only that row goes (compare and delete).
    if (found) await db.idempotencyKey.deleteMany({ where: { projectId, key, createdAt: found.createdAt } });
    try {
      await db.idempotencyKey.create({ data: { projectId, key, requestHash, createdAt: now } });
    } catch (error) {
      if (prismaErrorCode(error) === "P2002") continue;
      throw error;
    }
    const reservation = { projectId, key, reservedAt: now };
    try {
      return { value: await options.start(reservation), replayed: false };
    } catch (error) {
      // A request that made no job frees its key for the retry (a job made keeps it: storageJobId is set).
      await db.idempotencyKey.deleteMany({ where: { projectId, key, createdAt: now, storageJobId: null } }).catch(() => undefined);
      throw error;
    }
  }
  throw inProgress();
}
