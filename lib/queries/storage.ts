// React Query keys and options for the Storage section, shared by every Storage component.
import { queryOptions } from "@tanstack/react-query";
import { apiFetch, isApiRequestError } from "@/lib/queries/api-fetch";
import { pollInterval } from "@/lib/queries/polling";
import type { BucketJson, FileJson, PreviewJson, StorageJobJson, TableJson } from "@/lib/schemas/storage";

/** GETs our API with the session cookie (apiFetch: its errors carry the API's words and code). */
async function apiGet<T>(path: string): Promise<T> {
  return (await apiFetch<T>(path)).data;
}

/** Retry network and server failures once; a 4xx (signed out, not found) will not heal by itself. */
const retry = (failures: number, error: Error) => !(isApiRequestError(error) && error.status >= 400 && error.status < 500) && failures < 1;

const search = (params: Record<string, string | undefined>) => {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const text = query.toString();
  return text ? `?${text}` : "";
};

export const storageKeys = {
  all: ["storage"] as const,
  buckets: () => [...storageKeys.all, "buckets"] as const,
  tables: () => [...storageKeys.all, "tables"] as const,
  table: (tableId: string) => [...storageKeys.all, "table", tableId] as const,
  preview: (tableId: string) => [...storageKeys.all, "preview", tableId] as const,
  files: (filters: { q?: string; id?: string }) => [...storageKeys.all, "files", filters] as const,
  jobs: (filters: { tableId?: string }) => [...storageKeys.all, "jobs", filters] as const,
  job: (id: string) => [...storageKeys.all, "job", id] as const,
};

const anyUnfinished = (jobs: StorageJobJson[] | undefined) => (jobs ?? []).some((j) => !j.isFinished);

export const bucketsQuery = () => queryOptions({ retry, queryKey: storageKeys.buckets(), queryFn: () => apiGet<BucketJson[]>("/api/v2/storage/buckets") });

export const tablesQuery = () =>
  queryOptions({ retry, queryKey: storageKeys.tables(), queryFn: () => apiGet<TableJson[]>("/api/v2/storage/tables"), refetchInterval: pollInterval(false) });

export const tableQuery = (tableId: string) =>
  queryOptions({ retry, queryKey: storageKeys.table(tableId), queryFn: () => apiGet<TableJson>(`/api/v2/storage/tables/${encodeURIComponent(tableId)}`) });

export const previewQuery = (tableId: string) =>
  queryOptions({
    retry,
    queryKey: storageKeys.preview(tableId),
    queryFn: () => apiGet<PreviewJson>(`/api/v2/storage/tables/${encodeURIComponent(tableId)}/data-preview?limit=100&format=json`),
  });

export const filesQuery = (filters: { q?: string; id?: string }) =>
  queryOptions({
    retry,
    queryKey: storageKeys.files(filters),
    queryFn: () => apiGet<FileJson[]>(`/api/v2/storage/files${search({ q: filters.q, id: filters.id, limit: "200" })}`),
    refetchInterval: pollInterval(false),
  });

export const storageJobsQuery = (filters: { tableId?: string }) =>
  queryOptions({
    retry,
    queryKey: storageKeys.jobs(filters),
    queryFn: () => apiGet<StorageJobJson[]>(`/api/v2/storage/jobs${search({ tableId: filters.tableId, limit: "200" })}`),
    refetchInterval: (query) => pollInterval(anyUnfinished(query.state.data)),
  });

export const storageJobQuery = (id: string) =>
  queryOptions({
    retry,
    queryKey: storageKeys.job(id),
    queryFn: () => apiGet<StorageJobJson>(`/api/v2/storage/jobs/${encodeURIComponent(id)}`),
    refetchInterval: (query) => pollInterval(query.state.data ? !query.state.data.isFinished : true),
  });
