import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/queries/api-fetch";
import { pollInterval } from "@/lib/queries/polling";
import type { CreateSubscriptionBody, DeliveryJson, SubscriptionJson } from "@/lib/schemas/notifications";

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
    queryFn: async ({ signal }) => (await apiFetch<SubscriptionJson[]>("/api/project-subscriptions", { signal })).data,
    refetchInterval: (query) => pollInterval(query.state.data?.some((s) => inFlight(s.lastDelivery?.status)) ?? false),
    refetchIntervalInBackground: false,
  });
}

/** A subscription's delivery log; fast while a delivery is pending or being sent. */
export function deliveriesQueryOptions(subscriptionId: string) {
  return queryOptions({
    queryKey: notificationKeys.deliveries(subscriptionId),
    queryFn: async ({ signal }) => (await apiFetch<DeliveryJson[]>(`/api/project-subscriptions/${encodeURIComponent(subscriptionId)}/deliveries`, { signal })).data,
    refetchInterval: (query) => pollInterval(query.state.data?.some((d) => inFlight(d.status)) ?? false),
    refetchIntervalInBackground: false,
  });
}

export async function createSubscription(input: CreateSubscriptionBody): Promise<SubscriptionJson> {
  return (await apiFetch<SubscriptionJson>("/api/project-subscriptions", { method: "POST", body: input })).data;
}

export async function deleteSubscription(id: string): Promise<void> {
  await apiFetch<null>(`/api/project-subscriptions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export async function sendTest(id: string): Promise<DeliveryJson> {
  return (await apiFetch<DeliveryJson>(`/api/project-subscriptions/${encodeURIComponent(id)}/test`, { method: "POST" })).data;
}

export async function sendAgain(subscriptionId: string, deliveryId: string): Promise<DeliveryJson> {
  const path = `/api/project-subscriptions/${encodeURIComponent(subscriptionId)}/deliveries/${encodeURIComponent(deliveryId)}/send-again`;
  return (await apiFetch<DeliveryJson>(path, { method: "POST" })).data;
}
