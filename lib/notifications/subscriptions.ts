import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { NotificationSubscription } from "@/lib/generated/prisma/client";
import { newWebhookSecret } from "@/lib/notifications/signature";
import type { CreateSubscriptionInput, SubscriptionFilter, SubscriptionJson } from "@/lib/schemas/notifications";
import { encryptValue } from "@/lib/secrets/secrets";

type LastDelivery = { id: string; status: string; createdAt: Date } | null;

/** A subscription as the API answers it; `secret` only right after it was made. */
export function toSubscriptionJson(s: NotificationSubscription, lastDelivery: LastDelivery, secret?: string): SubscriptionJson {
  return {
    id: s.id.toString(),
    event: s.event as SubscriptionJson["event"],
    filters: s.filters as SubscriptionFilter[],
    recipient: s.channel === "email" ? { channel: "email", address: s.address } : { channel: "webhook", url: s.address, format: s.format as "json" | "slack" },
    expiresAt: s.expiresAt?.toISOString() ?? null,
    createdTime: s.createdAt.toISOString(),
    lastDelivery: lastDelivery && { id: lastDelivery.id, status: lastDelivery.status as "pending", createdTime: lastDelivery.createdAt.toISOString() },
    ...(secret ? { secret } : {}),
  };
}

/** Makes a subscription; a webhook gets a signing secret, stored encrypted and answered this once. */
export async function createSubscription(options: { db: Db; projectId: number; tokenId: number; input: CreateSubscriptionInput }): Promise<SubscriptionJson> {
  const { db, projectId, input } = options;
  const secret = input.recipient.channel === "webhook" ? newWebhookSecret() : undefined;
  const created = await db.notificationSubscription.create({
    data: {
      projectId,
      tokenId: options.tokenId,
      event: input.event,
      filters: input.filters,
      channel: input.recipient.channel,
      address: input.recipient.channel === "email" ? input.recipient.address : input.recipient.url,
      format: input.recipient.channel === "webhook" ? input.recipient.format : "json",
      secret: secret ? encryptValue(secret, projectId) : null,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
    },
  });
  return toSubscriptionJson(created, null, secret);
}

/** Every subscription of the project, newest first, each with its newest delivery. */
export async function listSubscriptions(options: { db: Db; projectId: number }): Promise<SubscriptionJson[]> {
  const rows = await options.db.notificationSubscription.findMany({
    where: { projectId: options.projectId },
    orderBy: { id: "desc" },
    include: { deliveries: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } } },
  });
  return rows.map(({ deliveries, ...s }) => toSubscriptionJson(s, deliveries[0] ?? null));
}

/** One of the project's subscriptions; another project's answers 404 like an unknown one. */
export async function findSubscription(options: { db: Db; projectId: number; id: string }): Promise<NotificationSubscription> {
  const id = parseId(options.id);
  const found = id === null ? null : await options.db.notificationSubscription.findFirst({ where: { id, projectId: options.projectId } });
  if (!found) throw notFound(`Subscription ${options.id}`);
  return found;
}

export async function getSubscription(options: { db: Db; projectId: number; id: string }): Promise<SubscriptionJson> {
  const s = await findSubscription(options);
  const last = await options.db.notificationDelivery.findFirst({ where: { subscriptionId: s.id }, orderBy: { createdAt: "desc" }, select: { id: true, status: true, createdAt: true } });
  return toSubscriptionJson(s, last);
}

/** Deletes a subscription and its delivery log; what is still pending is not sent. */
export async function deleteSubscription(options: { db: Db; projectId: number; id: string }): Promise<void> {
  const s = await findSubscription(options);
  await options.db.notificationSubscription.deleteMany({ where: { id: s.id, projectId: options.projectId } });
}

export function parseId(value: string): bigint | null {
  return /^[1-9][0-9]{0,17}$/.test(value) ? BigInt(value) : null;
}
