"use client";
import { useQuery } from "@tanstack/react-query";
import { storageJobsQuery } from "@/lib/queries/storage";
import { QueryState } from "@/components/storage/query-state";
import { StorageJobsTable } from "@/components/storage/storage-jobs-table";

/** The Jobs tab: every Storage job, newest first, refreshed fast while any is unfinished. */
export function StorageJobsView() {
  const jobs = useQuery(storageJobsQuery({}));
  return (
    <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900">
      {jobs.data ? <StorageJobsTable jobs={jobs.data} /> : <QueryState error={jobs.error} loading={jobs.isPending} what="Storage jobs" />}
    </section>
  );
}
