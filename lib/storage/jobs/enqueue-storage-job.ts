import "server-only";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, badRequest } from "@/lib/errors";
import { type Idempotency, idempotencyOf, type Reservation, startOnce } from "@/lib/jobs/idempotency";
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

/**
 * Queues a Storage operation as `waiting` and wakes an idle storage slot to pick it up. With a
 * reservation (an Idempotency-Key), the job takes the key in its own transaction, or is not made.
 */
export async function enqueueStorageJob(options: {
  db: Db;
  auth: AuthContext;
  operationName: StorageOperation;
  tableId: string | null;
  operationParams: Record<string, unknown>;
  runId: string | null;
  reservation?: Reservation | null;
}): Promise<StorageJobRow> {
  const { reservation } = options;
  const data = {
    projectId: options.auth.projectId,
    tokenId: options.auth.tokenId,
    operationName: options.operationName,
    tableId: options.tableId,
    operationParams: options.operationParams as object,
    runId: options.runId,
    status: "waiting",
  };
  const job = reservation
    ? await options.db.$transaction(async (tx) => {
        const made = await tx.storageJob.create({ data, include: withToken });
        const { count } = await tx.idempotencyKey.updateMany({
          where: { projectId: reservation.projectId, key: reservation.key, createdAt: reservation.reservedAt, storageJobId: null },
          data: { storageJobId: made.id },
        });
        // The reservation ran out and another request with the key took over: that one makes the job.
        if (count !== 1) throw new ApiError(409, "idempotencyKeyInProgress", "Another request with this Idempotency-Key took over; send it again to get its job.");
        return made;
      })
    : await options.db.storageJob.create({ data, include: withToken });
  await publishStorageWork(options.db);
  return job;
}

/**
 * A route's Storage request with Keboola's `X-KBC-RunId` and our `Idempotency-Key`: the key and
 * the request (method, path, run, parsed input) name one job; a retry gets that job back.
 */
export async function startStorageJob(options: {
  request: Request;
  db: Db;
  auth: AuthContext;
  input: unknown;
  start: (context: { runId: string | null; reservation: Reservation | null }) => Promise<StorageJobRow>;
}): Promise<{ job: StorageJobRow; replayed: boolean }> {
  const { request, db, auth } = options;
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const idempotency: Idempotency | null = idempotencyOf(request.headers, `${request.method} ${new URL(request.url).pathname} ${runId ?? ""}`, options.input ?? null);
  const { value, replayed } = await startOnce({
    db,
    projectId: auth.projectId,
    idempotency,
    start: (reservation) => options.start({ runId, reservation }),
    replay: (id) => db.storageJob.findUniqueOrThrow({ where: { id }, include: withToken }),
  });
  return { job: value, replayed };
}
