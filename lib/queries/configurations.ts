import { queryOptions } from "@tanstack/react-query";
import type { JobGroupJson } from "@/lib/schemas/grouped-jobs";
import type { ConfigurationJson, ConfigurationVersionJson, ConfigurationVersionSummary } from "@/lib/schemas/configurations";
import type { JobJson, RunAgainScope } from "@/lib/schemas/jobs";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, pollIntervalFor } from "@/lib/queries/polling";

/** Jobs shown in a run history strip. */
export const RUN_HISTORY_JOBS = 30;

export const configurationKeys = {
  all: ["configurations"] as const,
  detail: (componentId: string, configId: string) => [...configurationKeys.all, componentId, configId] as const,
  versions: (componentId: string, configId: string) => [...configurationKeys.detail(componentId, configId), "versions"] as const,
  version: (componentId: string, configId: string, version: number) => [...configurationKeys.versions(componentId, configId), version] as const,
};

export const groupedJobKeys = {
  all: ["jobs", "grouped"] as const,
  search: (params: Record<string, string | number>) => [...groupedJobKeys.all, params] as const,
};

export const configPath = (componentId: string, configId: string) =>
  `/api/v2/storage/components/${encodeURIComponent(componentId)}/configs/${encodeURIComponent(configId)}`;

export function configurationQueryOptions(componentId: string, configId: string) {
  return queryOptions({
    queryKey: configurationKeys.detail(componentId, configId),
    queryFn: async ({ signal }) => (await apiFetch<ConfigurationJson>(configPath(componentId, configId), { signal })).data,
  });
}

export function versionsQueryOptions(componentId: string, configId: string) {
  return queryOptions({
    queryKey: configurationKeys.versions(componentId, configId),
    queryFn: async ({ signal }) =>
      (await apiFetch<ConfigurationVersionSummary[]>(`${configPath(componentId, configId)}/versions`, { signal })).data,
  });
}

export function versionQueryOptions(componentId: string, configId: string, version: number) {
  return queryOptions({
    queryKey: configurationKeys.version(componentId, configId, version),
    queryFn: async ({ signal }) => (await apiFetch<ConfigurationVersionJson>(`${configPath(componentId, configId)}/versions/${version}`, { signal })).data,
    // A version never changes.
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** GET /search/grouped-jobs: the latest jobs per configuration; live while one of them is. */
export function groupedJobsQueryOptions(params: { componentId?: string; configId?: string; jobsPerGroup?: number; limit?: number }) {
  const query: Record<string, string | number> = { jobsPerGroup: params.jobsPerGroup ?? 1, limit: params.limit ?? 500 };
  if (params.componentId) query.componentId = params.componentId;
  if (params.configId) query.configId = params.configId;
  return queryOptions({
    queryKey: groupedJobKeys.search(query),
    queryFn: async ({ signal }) => (await apiFetch<JobGroupJson[]>("/api/search/grouped-jobs", { params: query, signal })).data,
    refetchInterval: (q) => pollIntervalFor(q.state.data?.flatMap((g) => g.jobs)),
    ...backgroundPolling,
  });
}

/** A configuration's last runs, newest first. */
export function runHistoryQueryOptions(componentId: string, configId: string) {
  return groupedJobsQueryOptions({ componentId, configId, jobsPerGroup: RUN_HISTORY_JOBS, limit: 1 });
}

export async function runJobAgain(id: string, scope: RunAgainScope = "job") {
  return (await apiFetch<JobJson>(`/api/jobs/${encodeURIComponent(id)}/run-again`, { method: "POST", body: { scope } })).data;
}
