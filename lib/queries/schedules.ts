import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, pollInterval } from "@/lib/queries/polling";
import type { ScheduleJson, ScheduleState } from "@/lib/schemas/schedules";

export const scheduleKeys = {
  all: ["schedules"] as const,
  list: () => [...scheduleKeys.all, "list"] as const,
  detail: (id: string) => [...scheduleKeys.all, "detail", id] as const,
  forToken: (tokenId: string) => [...scheduleKeys.all, "token", tokenId] as const,
};

const live = (schedules: readonly ScheduleJson[] | ScheduleJson | undefined) =>
  pollInterval([schedules ?? []].flat().some((s) => s.schedule.state === "enabled"));

export function schedulesQueryOptions() {
  return queryOptions({
    queryKey: scheduleKeys.list(),
    queryFn: async ({ signal }) => (await apiFetch<ScheduleJson[]>("/api/schedules", { signal })).data,
    refetchInterval: (query) => live(query.state.data),
    ...backgroundPolling,
  });
}

export function scheduleQueryOptions(id: string) {
  return queryOptions({
    queryKey: scheduleKeys.detail(id),
    queryFn: async ({ signal }) => (await apiFetch<ScheduleJson>(`/api/schedules/${encodeURIComponent(id)}`, { signal })).data,
    refetchInterval: (query) => live(query.state.data),
    ...backgroundPolling,
  });
}

/** The schedule whose token made a job (null: made by someone else). A token's schedule never changes. */
export function scheduleForTokenQueryOptions(tokenId: string) {
  return queryOptions({
    queryKey: scheduleKeys.forToken(tokenId),
    queryFn: async ({ signal }) => (await apiFetch<ScheduleJson[]>("/api/schedules", { params: { tokenId }, signal })).data[0] ?? null,
    staleTime: 10 * 60_000,
  });
}

export type ScheduleBody = {
  schedule: { cronTab: string; timezone: string; state: ScheduleState };
  target: { componentId: string; configurationId: string; configurationRowIds: string[]; mode: string };
};

export async function createSchedule(input: { name: string; configuration: ScheduleBody }): Promise<ScheduleJson> {
  return (await apiFetch<ScheduleJson>("/api/schedules", { method: "POST", body: input })).data;
}

export async function updateSchedule(id: string, input: { name?: string; state?: ScheduleState; configuration?: ScheduleBody }): Promise<ScheduleJson> {
  return (await apiFetch<ScheduleJson>(`/api/schedules/${encodeURIComponent(id)}`, { method: "PATCH", body: input })).data;
}

export async function deleteSchedule(id: string): Promise<void> {
  await apiFetch<null>(`/api/schedules/${encodeURIComponent(id)}`, { method: "DELETE" });
}
