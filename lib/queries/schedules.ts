import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, pollInterval } from "@/lib/queries/polling";
import type { ScheduleJson, SchedulePreviewJson, ScheduleState } from "@/lib/schemas/schedules";

export const scheduleKeys = {
  all: ["schedules"] as const,
  list: () => [...scheduleKeys.all, "list"] as const,
  detail: (id: string) => [...scheduleKeys.all, "detail", id] as const,
  forToken: (tokenId: string) => [...scheduleKeys.all, "token", tokenId] as const,
  preview: (cronTab: string, timezone: string) => [...scheduleKeys.all, "preview", cronTab, timezone] as const,
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

/**
 * A cronTab in a time zone read by the server, as the scheduler reads it: its description and
 * next five runs, or an ApiRequestError (422) whose field (cronTab, timezone) says what is wrong.
 * The runs move on with time, so an answer is taken again after a minute.
 */
export function schedulePreviewQueryOptions(cronTab: string, timezone: string) {
  return queryOptions({
    queryKey: scheduleKeys.preview(cronTab, timezone),
    queryFn: async ({ signal }) => (await apiFetch<SchedulePreviewJson>("/api/schedules/preview", { params: { cronTab, timezone }, signal })).data,
    staleTime: 60_000,
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
