import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import { type JobsFilters, jobsFiltersToApi } from "@/lib/schemas/filters";
import { type JobJson, jobSchema } from "@/lib/schemas/jobs";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, FAST_POLL_MS, isJobLive, pollIntervalFor, SLOW_POLL_MS } from "@/lib/queries/polling";

export const JOBS_PAGE_SIZE = 50;
export const CHILD_JOBS_PAGE_SIZE = 100;

export type JobsPage = { jobs: JobJson[]; nextCursor: string | null };

export const jobKeys = {
  all: ["jobs"] as const,
  lists: () => [...jobKeys.all, "list"] as const,
  list: (filters: JobsFilters) => [...jobKeys.lists(), "search", filters] as const,
  children: (parentRunId: string) => [...jobKeys.lists(), "children", parentRunId] as const,
  details: () => [...jobKeys.all, "detail"] as const,
  detail: (id: string) => [...jobKeys.details(), id] as const,
};

const jobListSchema = z.array(jobSchema);

async function searchJobs(params: Record<string, string | readonly string[] | undefined>, signal: AbortSignal): Promise<JobsPage> {
  const { data, headers } = await apiFetch("/api/search/jobs", { schema: jobListSchema, params, signal });
  return { jobs: data, nextCursor: headers.get("X-Next-Cursor") };
}

/** The jobs list, newest first, paged by the API's cursor (X-Next-Cursor). */
export function jobListQueryOptions(filters: JobsFilters) {
  return infiniteQueryOptions({
    queryKey: jobKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      searchJobs(
        { ...jobsFiltersToApi(filters), sortBy: "id", sortOrder: "desc", limit: String(JOBS_PAGE_SIZE), cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    refetchInterval: (query) => pollIntervalFor(query.state.data?.pages.flatMap((page) => page.jobs)),
    ...backgroundPolling,
  });
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
    queryFn: async ({ signal }) => (await apiFetch(`/api/jobs/${encodeURIComponent(id)}`, { schema: jobSchema, signal })).data,
    refetchInterval: (query) => {
      const job = query.state.data;
      return job && !isJobLive(job) ? SLOW_POLL_MS : FAST_POLL_MS;
    },
    ...backgroundPolling,
  });
}

export async function killJob(id: string): Promise<JobJson> {
  return (await apiFetch(`/api/jobs/${encodeURIComponent(id)}/kill`, { method: "POST", schema: jobSchema })).data;
}
