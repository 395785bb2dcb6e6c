"use client";

import { type InfiniteData, type QueryClient, type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import type { JobJson } from "@/lib/schemas/jobs";
import { eventKeys } from "@/lib/queries/events";
import { type JobsPage, jobKeys, killJob } from "@/lib/queries/jobs";

type ListData = InfiniteData<JobsPage>;
type Snapshot = { details: [QueryKey, JobJson | undefined][]; lists: [QueryKey, ListData | undefined][] };

function markTerminating(job: JobJson, ids: ReadonlySet<string>): JobJson {
  return ids.has(job.id) ? { ...job, status: "terminating", desiredStatus: "terminating", waiting: null } : job;
}

/** Every cached view of the jobs shows `terminating` at once; the snapshot puts them back. */
export async function showTerminating(queryClient: QueryClient, ids: readonly string[]): Promise<Snapshot> {
  const wanted = new Set(ids);
  await queryClient.cancelQueries({ queryKey: jobKeys.all });
  const snapshot: Snapshot = {
    details: ids.map((id) => [jobKeys.detail(id), queryClient.getQueryData<JobJson>(jobKeys.detail(id))]),
    lists: queryClient.getQueriesData<ListData>({ queryKey: jobKeys.lists() }),
  };
  for (const id of ids) queryClient.setQueryData<JobJson>(jobKeys.detail(id), (job) => (job ? markTerminating(job, wanted) : job));
  queryClient.setQueriesData<ListData>({ queryKey: jobKeys.lists() }, (data) =>
    data ? { ...data, pages: data.pages.map((page) => ({ ...page, jobs: page.jobs.map((job) => markTerminating(job, wanted)) })) } : data,
  );
  return snapshot;
}

export function restoreSnapshot(queryClient: QueryClient, snapshot: Snapshot): void {
  for (const [key, data] of snapshot.details) queryClient.setQueryData(key, data);
  for (const [key, data] of snapshot.lists) queryClient.setQueryData(key, data);
}

/** After kills: everything about jobs is stale, and so are the newest pages of event logs. */
export function refreshAfterKill(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: jobKeys.all });
  void queryClient.invalidateQueries({ queryKey: eventKeys.all, predicate: (q) => q.queryKey.at(-1) === "newest" });
}

/**
 * Terminates a job. Every cached view of it shows `terminating` at once; if the API refuses,
 * the cache goes back to what it was and the caller shows the API's message.
 */
export function useKillJob(id: string) {
  const queryClient = useQueryClient();
  return useMutation<JobJson, Error, void, Snapshot>({
    mutationFn: () => killJob(id),
    onMutate: () => showTerminating(queryClient, [id]),
    onError: (_error, _variables, snapshot) => {
      if (snapshot) restoreSnapshot(queryClient, snapshot);
    },
    onSuccess: (job) => {
      queryClient.setQueryData(jobKeys.detail(id), job);
    },
    onSettled: () => refreshAfterKill(queryClient),
  });
}
