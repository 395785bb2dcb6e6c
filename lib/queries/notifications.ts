import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import { apiFetch } from "@/lib/queries/api-fetch";
import { pollInterval } from "@/lib/queries/polling";
import { type CreateSubscriptionBody, type DeliveryJson, deliverySchema, subscriptionSchema, type SubscriptionJson } from "@/lib/schemas/notifications";

export const notificationKeys = {
  all: ["notifications"] as const,
  subscriptions: () => [...notificationKeys.all, "subscriptions"] as const,
  deliveries: (subscriptionId: string) => [...notificationKeys.all, "deliveries", subscriptionId] as const,
};

const inFlight = (status: string | undefined) => status === "pending" || status === "sending";

/** The project's subscriptions; fast while the newest delivery of one is still going out. */
export function subscriptionsQueryOptions() {
  return queryOptions({
    queryKey: notificationKeys.subscriptions(),
    queryFn: async ({ signal }) => (await apiFetch("/api/project-subscriptions", { schema: z.array(subscriptionSchema), signal })).data,
    refetchInterval: (query) => pollInterval(query.state.data?.some((s) => inFlight(s.lastDelivery?.status)) ?? false),
    refetchIntervalInBackground: false,
  });
}

/** A subscription's delivery log; fast while a delivery is pending or being sent. */
export function deliveriesQueryOptions(subscriptionId: string) {
  return queryOptions({
    queryKey: notificationKeys.deliveries(subscriptionId),
    queryFn: async ({ signal }) => (await apiFetch(`/api/project-subscriptions/${encodeURIComponent(subscriptionId)}/deliveries`, { schema: z.array(deliverySchema), signal })).data,
    refetchInterval: (query) => pollInterval(query.state.data?.some((d) => inFlight(d.status)) ?? false),
    refetchIntervalInBackground: false,
  });
}

export async function createSubscription(input: CreateSubscriptionBody): Promise<SubscriptionJson> {
  return (await apiFetch("/api/project-subscriptions", { method: "POST", body: input, schema: subscriptionSchema })).data;
}

export async function deleteSubscription(id: string): Promise<void> {
  await apiFetch(`/api/project-subscriptions/${encodeURIComponent(id)}`, { method: "DELETE", schema: z.null() });
}

export async function sendTest(id: string): Promise<DeliveryJson> {
  return (await apiFetch(`/api/project-subscriptions/${encodeURIComponent(id)}/test`, { method: "POST", schema: deliverySchema })).data;
}

export async function sendAgain(subscriptionId: string, deliveryId: string): Promise<DeliveryJson> {
  const path = `/api/project-subscriptions/${encodeURIComponent(subscriptionId)}/deliveries/${encodeURIComponent(deliveryId)}/send-again`;
  return (await apiFetch(path, { method: "POST", schema: deliverySchema })).data;
}
