import "server-only";
import type { Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { NotificationAttempt, NotificationDelivery } from "@/lib/generated/prisma/client";
import { findSubscription } from "@/lib/notifications/subscriptions";
import type { DeliveryJson } from "@/lib/schemas/notifications";

export const DELIVERY_LOG_LIMIT = 50;

export function toDeliveryJson(d: NotificationDelivery & { attemptLog: NotificationAttempt[] }): DeliveryJson {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId.toString(),
    event: d.event as DeliveryJson["event"],
    jobId: d.jobId?.toString() ?? null,
    test: d.jobId === null,
    status: d.status as DeliveryJson["status"],
    attempts: d.attempts,
    createdTime: d.createdAt.toISOString(),
    deliveredTime: d.deliveredAt?.toISOString() ?? null,
    nextAttemptTime: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    attemptLog: d.attemptLog
      .sort((a, b) => a.attempt - b.attempt)
      .map((a) => ({ attempt: a.attempt, startedTime: a.startedAt.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, error: a.error })),
  };
}

/** A subscription's delivery log, newest first, with every attempt. */
export async function listDeliveries(options: { db: Db; projectId: number; subscriptionId: string }): Promise<DeliveryJson[]> {
  const s = await findSubscription({ db: options.db, projectId: options.projectId, id: options.subscriptionId });
  const rows = await options.db.notificationDelivery.findMany({
    where: { subscriptionId: s.id },
    orderBy: { createdAt: "desc" },
    take: DELIVERY_LOG_LIMIT,
    include: { attemptLog: true },
  });
  return rows.map(toDeliveryJson);
}

/** "Send a test": a delivery without a job (the payload carries the project's newest job as a sample), sent by the next free sender. */
export async function sendTest(options: { db: Db; projectId: number; subscriptionId: string }): Promise<DeliveryJson> {
  const s = await findSubscription({ db: options.db, projectId: options.projectId, id: options.subscriptionId });
  const created = await options.db.notificationDelivery.create({
    data: { subscriptionId: s.id, projectId: s.projectId, event: s.event, jobId: null, details: { test: true } },
    include: { attemptLog: true },
  });
  return toDeliveryJson(created);
}

/** "Send again": the same delivery (same id, so a receiver that got it already can drop it) goes back in the queue. */
export async function sendAgain(options: { db: Db; projectId: number; subscriptionId: string; deliveryId: string }): Promise<DeliveryJson> {
  const s = await findSubscription({ db: options.db, projectId: options.projectId, id: options.subscriptionId });
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.deliveryId)) throw notFound(`Delivery ${options.deliveryId}`);
  const [updated] = await options.db.notificationDelivery.updateManyAndReturn({
    where: { id: options.deliveryId, subscriptionId: s.id, status: { in: ["delivered", "failed"] } },
    data: { status: "pending", nextAttemptAt: new Date(), createdAt: new Date(), leaseExpiresAt: null },
  });
  if (!updated) {
    const exists = await options.db.notificationDelivery.findFirst({ where: { id: options.deliveryId, subscriptionId: s.id }, select: { status: true } });
    if (!exists) throw notFound(`Delivery ${options.deliveryId}`);
    throw new ApiError(409, "deliveryInProgress", `Delivery ${options.deliveryId} is ${exists.status}: it is being sent already.`);
  }
  // The status is the one this update set: the sender may claim the delivery the moment it is pending.
  const attemptLog = await options.db.notificationAttempt.findMany({ where: { deliveryId: updated.id } });
  return toDeliveryJson({ ...updated, attemptLog });
}
