"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { lazy, Suspense, useId, useMemo, useOptimistic, useRef, useState, useTransition } from "react";
import type { BulkTerminateSource } from "@/components/bulk-terminate-dialog";
import { plural } from "@/components/format";
import { bulkKillTarget } from "@/components/job-labels";
import { JobsFiltersBar, JobStatusTabs } from "@/components/jobs-filters";
import { JobRows, JobRowsSkeleton, JobsTable, type RowSelection, RowSelectionProvider } from "@/components/jobs-table";
import { Button, Card, EmptyState, ErrorState, Spinner, StopIcon } from "@/components/ui";
import { isKillable } from "@/lib/jobs/state";
import {
  DEFAULT_JOBS_FILTERS,
  hasActiveFilters,
  type JobsFilters,
  jobsFiltersToSearch,
  killableStatusesFor,
  PAGE_SIZES,
  type PageSize,
} from "@/lib/schemas/filters";
import type { JobJson } from "@/lib/schemas/jobs";
import { jobCountsQueryOptions, jobListQueryOptions } from "@/lib/queries/jobs";
import { sessionQueryOptions } from "@/lib/queries/session";
import type { BulkKillTarget } from "@/lib/queries/use-bulk-kill-jobs";

/** Opened from a bulk action only: not part of the list's first load. */
const BulkTerminateDialog = lazy(async () => ({ default: (await import("@/components/bulk-terminate-dialog")).BulkTerminateDialog }));

/** The element around the table, which the page's first frame waits for. */
const TABLE_ID = "jobs-table";

/** The Jobs page: tabs with counts, filters in the URL, the newest jobs first, more on demand. */
export function JobsPage({ filters }: { filters: JobsFilters }) {
  const router = useRouter();
  const [isNavigating, startTransition] = useTransition();
  // Chips answer at once; the rows follow when the URL (and so `filters`) has changed.
  const [shownFilters, setShownFilters] = useOptimistic(filters);
  const counts = useQuery({ ...jobCountsQueryOptions(filters), placeholderData: keepPreviousData });

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
      <JobStatusTabs filters={shownFilters} counts={counts.data} onChange={changeFilters} />
      <JobsListResults filters={filters} shownFilters={shownFilters} onChange={changeFilters} killableCount={killableCount(filters, counts.data?.byStatus)} />
    </div>
  );
}

function killableCount(filters: JobsFilters, byStatus: Record<string, number> | undefined): number | undefined {
  if (!byStatus) return undefined;
  return killableStatusesFor(filters).reduce((sum, s) => sum + (byStatus[s] ?? 0), 0);
}

function compareIds(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff > BigInt(0) ? 1 : diff < BigInt(0) ? -1 : 0;
}

function JobsListResults({
  filters,
  shownFilters,
  onChange,
  killableCount,
}: {
  filters: JobsFilters;
  shownFilters: JobsFilters;
  onChange: (next: JobsFilters) => void;
  killableCount: number | undefined;
}) {
  const session = useQuery(sessionQueryOptions());
  const canManage = session.data?.token.canManageJobs === true;
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
  const creators = useMemo(() => {
    const names = new Set(jobs.map((j) => j.token.description));
    if (session.data) names.add(session.data.token.description);
    return [...names].sort();
  }, [jobs, session.data]);

  // Jobs newer than the newest one the user has seen wait behind a banner instead of pushing rows down.
  const filtersKey = jobsFiltersToSearch(filters);
  const [seen, setSeen] = useState<{ filtersKey: string; topId: string } | null>(null);
  const seenTopId = seen?.filtersKey === filtersKey ? seen.topId : null;
  if (seenTopId === null && !query.isPlaceholderData && jobs[0]) setSeen({ filtersKey, topId: jobs[0].id });
  const visible = seenTopId === null ? jobs : jobs.filter((job) => compareIds(job.id, seenTopId) <= 0);
  const newCount = jobs.length - visible.length;

  // Selected rows, by the filters they were picked under: other filters start a new selection.
  const [picked, setPicked] = useState<{ filtersKey: string; targets: Map<string, BulkKillTarget> }>({ filtersKey, targets: new Map() });
  // Rows that finished meanwhile drop out of the selection: they can no longer be terminated.
  const finishedIds = new Set(visible.filter((job) => !isKillable(job.status)).map((job) => job.id));
  const selected = new Map([...(picked.filtersKey === filtersKey ? picked.targets : [])].filter(([id]) => !finishedIds.has(id)));
  const selectable = visible.filter((job) => isKillable(job.status));
  const allSelected = selectable.length > 0 && selectable.every((job) => selected.has(job.id));
  function setSelected(next: Map<string, BulkKillTarget>) {
    setPicked({ filtersKey, targets: next });
  }
  const selection: RowSelection = {
    isSelected: (id) => selected.has(id),
    toggle: (job) => {
      const next = new Map(selected);
      if (next.has(job.id)) next.delete(job.id);
      else next.set(job.id, bulkKillTarget(job));
      setSelected(next);
    },
    header: {
      checked: allSelected,
      indeterminate: !allSelected && selected.size > 0,
      disabled: selectable.length === 0,
      onToggle: () => setSelected(allSelected ? new Map() : new Map(selectable.map((job) => [job.id, bulkKillTarget(job)]))),
    },
  };

  const [bulk, setBulk] = useState<BulkTerminateSource | null>(null);
  // The dialog's code loads when it is first opened, and stays mounted so it can close as it opens.
  const [bulkOpened, setBulkOpened] = useState(false);
  if (bulk && !bulkOpened) setBulkOpened(true);
  const bulkTrigger = useRef<HTMLButtonElement>(null);

  const table = query.isPending ? (
    <Card className="overflow-hidden">
      <span role="status" className="sr-only">
        Loading jobs
      </span>
      <JobsTable caption="Jobs (loading)" busy>
        <JobRowsSkeleton />
      </JobsTable>
    </Card>
  ) : query.isError && jobs.length === 0 ? (
    <ErrorState title="Could not load the jobs" error={query.error} onRetry={() => void query.refetch()} />
  ) : (
    <Card className={`overflow-hidden transition-opacity ${query.isPlaceholderData ? "opacity-60" : ""}`}>
      {visible.length === 0 ? (
        hasActiveFilters(filters) ? (
          <EmptyState title="No jobs match these filters">
            <p>Widen the time range, pick other statuses, or start again from all jobs.</p>
            <Button size="sm" className="mt-3" onClick={() => onChange({ ...DEFAULT_JOBS_FILTERS, limit: shownFilters.limit })}>
              Clear filters
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title="No jobs yet">
            <p>Jobs appear here, live, as soon as they are created. Run one of your configurations through the API:</p>
            <pre className="mt-3 overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 text-left font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
              {`curl -H "X-StorageApi-Token: $TOKEN" -H "Content-Type: application/json" \\\n  -d '{"component":"jobdeck.generator","configData":{"rows":100}}' \\\n  $JOBDECK_URL/api/jobs`}
            </pre>
          </EmptyState>
        )
      ) : (
        <RowSelectionProvider value={canManage ? selection : null}>
          <JobsTable caption={`Jobs, newest first${hasActiveFilters(filters) ? ", filtered" : ""}`} busy={query.isPlaceholderData}>
            <JobRows jobs={visible} />
          </JobsTable>
        </RowSelectionProvider>
      )}
    </Card>
  );

  return (
    <div className="space-y-3">
      <Card as="div" className="p-4">
        <JobsFiltersBar filters={shownFilters} onChange={onChange} creators={creators} />
      </Card>

      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <div aria-live="polite" className="flex flex-wrap items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
          {selected.size > 0 ? (
            <>
              <span className="font-medium text-zinc-900 dark:text-zinc-100" data-testid="selection-count">
                {plural(selected.size, "job")} selected
              </span>
              <Button
                ref={bulkTrigger}
                size="sm"
                variant="danger"
                onClick={() => setBulk({ kind: "selected", targets: [...selected.values()] })}
              >
                <StopIcon />
                Terminate selected
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setSelected(new Map())}>
                Clear selection
              </Button>
            </>
          ) : null}
        </div>
        {canManage && killableCount !== undefined && killableCount > 0 && (
          <Button
            size="sm"
            variant="secondary"
            onClick={(e) => {
              bulkTrigger.current = e.currentTarget;
              setBulk({ kind: "matching", filters });
            }}
          >
            <StopIcon />
            {killableCount === 1 ? "Terminate 1 unfinished job" : `Terminate all ${killableCount.toLocaleString("en")} unfinished jobs`}
            {hasActiveFilters(filters) ? " matching…" : "…"}
          </Button>
        )}
      </div>

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
          Could not refresh the list ({query.error?.message}); showing what was loaded before.{" "}
          <button type="button" className="font-medium underline" onClick={() => void query.refetch()}>
            Try again
          </button>
        </p>
      )}

      {/* React puts the link in <head>. Until the table is parsed the browser renders no frame:
          otherwise a first frame of the header and filters alone (style and layout ≈ 200 ms of a
          cold renderer on a slow machine) came in between and held the rows back. */}
      <link rel="expect" href={`#${TABLE_ID}`} blocking="render" />
      <div id={TABLE_ID}>{table}</div>

      {!query.isPending && visible.length > 0 && (
        <ListFooter
          shown={visible.length}
          rootsOnly={filters.scope === "root"}
          hasMore={query.hasNextPage}
          loadingMore={query.isFetchingNextPage}
          onLoadMore={() => void query.fetchNextPage()}
          loadMoreError={query.isFetchNextPageError ? query.error : null}
          pageSize={shownFilters.limit}
          onPageSize={(limit) => onChange({ ...shownFilters, limit })}
        />
      )}
      {bulkOpened && (
        <Suspense fallback={null}>
          <BulkTerminateDialog
            source={bulk}
            returnFocus={bulkTrigger}
            onClose={() => {
              setSelected(new Map());
              setBulk(null);
            }}
          />
        </Suspense>
      )}
    </div>
  );
}

function ListFooter(props: {
  shown: number;
  rootsOnly: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  loadMoreError: Error | null;
  pageSize: PageSize;
  onPageSize: (size: PageSize) => void;
}) {
  const pageSizeId = useId();
  return (
    <div className="flex flex-col gap-3 py-2 text-sm text-zinc-500 dark:text-zinc-400 sm:flex-row sm:items-center sm:justify-between">
      <p>
        Showing {plural(props.shown, "job")}
        {props.rootsOnly && " (top-level jobs; expand a row to see its children)"}
        <span className="block text-xs max-md:hidden">
          Keyboard: <kbd className="font-sans">↑</kbd> <kbd className="font-sans">↓</kbd> move between jobs, <kbd className="font-sans">Enter</kbd> opens,{" "}
          <kbd className="font-sans">→</kbd> <kbd className="font-sans">←</kbd> show and hide children, <kbd className="font-sans">x</kbd> selects,{" "}
          <kbd className="font-sans">/</kbd> finds a job.
        </span>
      </p>
      <div className="flex flex-wrap items-center gap-3">
        {props.hasMore && (
          <Button onClick={props.onLoadMore} disabled={props.loadingMore}>
            {props.loadingMore && <Spinner />}
            Load {props.pageSize} more
          </Button>
        )}
        <div className="flex items-center gap-2">
          <label htmlFor={pageSizeId}>Jobs per page</label>
          <select
            id={pageSizeId}
            value={props.pageSize}
            onChange={(e) => props.onPageSize(Number(e.target.value) as PageSize)}
            className="rounded-md border-0 bg-white py-1 pl-2 pr-7 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700"
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </div>
      {props.loadMoreError && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          Could not load more jobs: {props.loadMoreError.message}
        </p>
      )}
    </div>
  );
}
