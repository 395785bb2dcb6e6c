"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useOptimistic, useState, useTransition } from "react";
import { plural } from "@/components/format";
import { JobsFiltersBar } from "@/components/jobs-filters";
import { JobRows, JobRowsSkeleton, JobsTable } from "@/components/jobs-table";
import { Button, Card, EmptyState, ErrorState, Spinner } from "@/components/ui";
import type { JobJson } from "@/lib/schemas/jobs";
import { hasActiveFilters, type JobsFilters, jobsFiltersToSearch } from "@/lib/schemas/filters";
import { jobListQueryOptions } from "@/lib/queries/jobs";

/** The Jobs page: filters in the URL, the newest jobs first, more on demand. */
export function JobsPage({ filters }: { filters: JobsFilters }) {
  const router = useRouter();
  const [isNavigating, startTransition] = useTransition();
  // Chips answer at once; the rows follow when the URL (and so `filters`) has changed.
  const [shownFilters, setShownFilters] = useOptimistic(filters);

  function changeFilters(next: JobsFilters) {
    startTransition(() => {
      setShownFilters(next);
      router.push(`/jobs${jobsFiltersToSearch(next)}`, { scroll: false });
    });
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Jobs</h1>
        {isNavigating && <Spinner label="Updating…" />}
      </div>
      <Card as="div" className="p-4">
        <JobsFiltersBar filters={shownFilters} onChange={changeFilters} />
      </Card>
      <JobsListResults filters={filters} />
    </div>
  );
}

function compareIds(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff > BigInt(0) ? 1 : diff < BigInt(0) ? -1 : 0;
}

function JobsListResults({ filters }: { filters: JobsFilters }) {
  // While other filters load, the previous rows stay (dimmed) instead of a skeleton flashing by.
  const query = useInfiniteQuery({ ...jobListQueryOptions(filters), placeholderData: keepPreviousData });
  const jobs = useMemo(() => {
    const seen = new Set<string>();
    const all: JobJson[] = [];
    for (const job of query.data?.pages.flatMap((page) => page.jobs) ?? []) {
      if (!seen.has(job.id)) {
        seen.add(job.id);
        all.push(job);
      }
    }
    return all;
  }, [query.data]);

  // Jobs newer than the newest one the user has seen wait behind a banner instead of pushing rows down.
  const filtersKey = jobsFiltersToSearch(filters);
  const [seen, setSeen] = useState<{ filtersKey: string; topId: string } | null>(null);
  const seenTopId = seen?.filtersKey === filtersKey ? seen.topId : null;
  if (seenTopId === null && !query.isPlaceholderData && jobs[0]) setSeen({ filtersKey, topId: jobs[0].id });
  const visible = seenTopId === null ? jobs : jobs.filter((job) => compareIds(job.id, seenTopId) <= 0);
  const newCount = jobs.length - visible.length;

  if (query.isPending) {
    return (
      <Card className="overflow-hidden">
        <span role="status" className="sr-only">
          Loading jobs
        </span>
        <JobsTable caption="Jobs (loading)" busy>
          <JobRowsSkeleton />
        </JobsTable>
      </Card>
    );
  }
  if (query.isError && jobs.length === 0) {
    return <ErrorState title="Could not load the jobs" error={query.error} onRetry={() => void query.refetch()} />;
  }

  return (
    <div className="space-y-3">
      <div aria-live="polite" className="empty:hidden">
        {newCount > 0 && (
          <button
            type="button"
            onClick={() => setSeen({ filtersKey, topId: jobs[0]!.id })}
            className="w-full rounded-lg bg-indigo-50 px-4 py-2 text-sm font-medium text-indigo-800 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-100 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-800 dark:hover:bg-indigo-900"
          >
            {plural(newCount, "new job")} · show
          </button>
        )}
      </div>
      {query.isRefetchError && (
        <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
          Could not refresh the list ({query.error?.message}); showing what was loaded before.
        </p>
      )}
      <Card className={`overflow-hidden transition-opacity ${query.isPlaceholderData ? "opacity-60" : ""}`}>
        {visible.length === 0 ? (
          <EmptyState title={hasActiveFilters(filters) ? "No jobs match these filters" : "No jobs yet"}>
            {hasActiveFilters(filters)
              ? "Try other statuses or components, or clear the filters."
              : "Jobs appear here as soon as they are created through the API."}
          </EmptyState>
        ) : (
          <JobsTable caption={`Jobs, newest first${hasActiveFilters(filters) ? ", filtered" : ""}`} busy={query.isPlaceholderData}>
            <JobRows jobs={visible} />
          </JobsTable>
        )}
      </Card>
      <div className="flex flex-col items-center gap-2 py-2 text-sm text-zinc-500 dark:text-zinc-400">
        <p>
          Showing {plural(visible.length, "job")}
          {filters.scope === "root" && " (top-level jobs; expand a row to see its children)"}
        </p>
        {query.hasNextPage && (
          <Button onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage && <Spinner />}
            Load more
          </Button>
        )}
        {query.isFetchNextPageError && (
          <p role="alert" className="text-red-700 dark:text-red-300">
            Could not load more jobs: {query.error?.message}
          </p>
        )}
      </div>
    </div>
  );
}
