"use client";

import { type InfiniteData, type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import type { JobJson } from "@/lib/schemas/jobs";
import { eventKeys } from "@/lib/queries/events";
import { type JobsPage, jobKeys, killJob } from "@/lib/queries/jobs";

type ListData = InfiniteData<JobsPage>;
type Snapshot = { detail: JobJson | undefined; lists: [QueryKey, ListData | undefined][] };

function markTerminating(job: JobJson, id: string): JobJson {
  return job.id === id ? { ...job, status: "terminating", desiredStatus: "terminating", waiting: null } : job;
}

function updateList(data: ListData | undefined, id: string): ListData | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, jobs: page.jobs.map((job) => markTerminating(job, id)) })) };
}

/**
 * Terminates a job. Every cached view of it shows `terminating` at once; if the API refuses,
 * the cache goes back to what it was and the caller shows the API's message.
 */
export function useKillJob(id: string) {
  const queryClient = useQueryClient();
  return useMutation<JobJson, Error, void, Snapshot>({
    mutationFn: () => killJob(id),
    onMutate: async () => {
      await queryClient.cancelQueries({ queryKey: jobKeys.all });
      const snapshot: Snapshot = {
        detail: queryClient.getQueryData<JobJson>(jobKeys.detail(id)),
        lists: queryClient.getQueriesData<ListData>({ queryKey: jobKeys.lists() }),
      };
      queryClient.setQueryData<JobJson>(jobKeys.detail(id), (job) => (job ? markTerminating(job, id) : job));
      queryClient.setQueriesData<ListData>({ queryKey: jobKeys.lists() }, (data) => updateList(data, id));
      return snapshot;
    },
    onError: (_error, _variables, snapshot) => {
      if (!snapshot) return;
      queryClient.setQueryData(jobKeys.detail(id), snapshot.detail);
      for (const [key, data] of snapshot.lists) queryClient.setQueryData(key, data);
    },
    onSuccess: (job) => {
      queryClient.setQueryData(jobKeys.detail(id), job);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.all });
      void queryClient.invalidateQueries({ queryKey: eventKeys.all, predicate: (q) => q.queryKey.includes("live") });
    },
  });
}
