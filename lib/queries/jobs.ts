import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { JobStatus } from "@/lib/jobs/state";
import { type JobsFilters, jobsFiltersToApi, withoutStatusFilters } from "@/lib/schemas/filters";
import type { JobCountsJson } from "@/lib/schemas/job-counts";
import type { JobJson } from "@/lib/schemas/jobs";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, countsPollInterval, FAST_POLL_MS, isJobLive, listPollInterval, pollIntervalFor, SLOW_POLL_MS } from "@/lib/queries/polling";

export const CHILD_JOBS_PAGE_SIZE = 100;

export type JobsPage = { jobs: JobJson[]; nextCursor: string | null };

export const jobKeys = {
  all: ["jobs"] as const,
  lists: () => [...jobKeys.all, "list"] as const,
  list: (filters: JobsFilters) => [...jobKeys.lists(), "search", filters] as const,
  counts: (params: Record<string, unknown>) => [...jobKeys.all, "counts", params] as const,
  children: (parentRunId: string) => [...jobKeys.lists(), "children", parentRunId] as const,
  details: () => [...jobKeys.all, "detail"] as const,
  detail: (id: string) => [...jobKeys.details(), id] as const,
};

async function searchJobs(params: Record<string, string | readonly string[] | undefined>, signal: AbortSignal): Promise<JobsPage> {
  const { data, headers } = await apiFetch<JobJson[]>("/api/search/jobs", { params, signal });
  return { jobs: data, nextCursor: headers.get("X-Next-Cursor") };
}

/** The jobs list, newest first, paged by the API's cursor (X-Next-Cursor). */
export function jobListQueryOptions(filters: JobsFilters) {
  return infiniteQueryOptions({
    queryKey: jobKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      searchJobs(
        { ...jobsFiltersToApi(filters), sortBy: "id", sortOrder: "desc", limit: String(filters.limit), cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    refetchInterval: (query) => listPollInterval(query.state.data?.pages),
    ...backgroundPolling,
  });
}

/** How many jobs each status tab holds under the other filters (GET /search/jobs/counts). */
export function jobCountsQueryOptions(filters: JobsFilters) {
  const params = jobsFiltersToApi(withoutStatusFilters(filters));
  return queryOptions({
    queryKey: jobKeys.counts(params),
    queryFn: async ({ signal }) => (await apiFetch<JobCountsJson>("/api/search/jobs/counts", { params, signal })).data,
    refetchInterval: (query) => countsPollInterval(query.state.data),
    ...backgroundPolling,
  });
}

/** At most this many jobs are terminated by one "terminate everything matching". */
export const BULK_KILL_LIMIT = 2_000;
const BULK_PAGE = 500;

/**
 * The jobs matching `filters` that are in one of `statuses`, oldest first (parents before their
 * children), up to `limit`: what "terminate everything matching" is about to stop.
 */
export async function findMatchingJobs(filters: JobsFilters, statuses: readonly JobStatus[], signal?: AbortSignal, limit = BULK_KILL_LIMIT) {
  const found: JobJson[] = [];
  let cursor: string | null = null;
  const params = { ...jobsFiltersToApi({ ...filters, notStatus: [] }), status: statuses };
  if (statuses.length === 0) return { jobs: found, more: false };
  do {
    const page: JobsPage = await searchJobs({ ...params, sortBy: "id", sortOrder: "asc", limit: String(BULK_PAGE), cursor: cursor ?? undefined }, signal ?? new AbortController().signal);
    found.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor && found.length < limit);
  return { jobs: found.slice(0, limit), more: cursor !== null || found.length > limit };
}

/** A job's direct children, oldest first, so phases and tasks read in the order they ran. */
export function childJobsQueryOptions(parentRunId: string) {
  return infiniteQueryOptions({
    queryKey: jobKeys.children(parentRunId),
    queryFn: ({ pageParam, signal }) =>
      searchJobs(
        { parentRunId, sortBy: "id", sortOrder: "asc", limit: String(CHILD_JOBS_PAGE_SIZE), cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    refetchInterval: (query) => pollIntervalFor(query.state.data?.pages.flatMap((page) => page.jobs)),
    ...backgroundPolling,
  });
}

export function jobDetailQueryOptions(id: string) {
  return queryOptions({
    queryKey: jobKeys.detail(id),
    queryFn: async ({ signal }) => (await apiFetch<JobJson>(`/api/jobs/${encodeURIComponent(id)}`, { signal })).data,
    refetchInterval: (query) => {
      const job = query.state.data;
      return job && !isJobLive(job) ? SLOW_POLL_MS : FAST_POLL_MS;
    },
    ...backgroundPolling,
  });
}

export async function killJob(id: string): Promise<JobJson> {
  return (await apiFetch<JobJson>(`/api/jobs/${encodeURIComponent(id)}/kill`, { method: "POST" })).data;
}
