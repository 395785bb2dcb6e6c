"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { formatDateTime, formatTime, formatUtc } from "@/components/format";
import { Button, EmptyState, ErrorState, Skeleton, Spinner } from "@/components/ui";
import { useComponentCatalog } from "@/components/use-component-catalog";
import { useDebouncedValue } from "@/components/use-debounced-value";
import { EVENT_TYPES, type EventType } from "@/lib/events/types";
import type { EventJson } from "@/lib/schemas/events";
import type { JobJson } from "@/lib/schemas/jobs";
import { type EventLogFilters, EVENTS_PAGE_SIZE, eventKeys, eventPageQueryOptions, fetchAllEvents, olderThan } from "@/lib/queries/events";
import { isJobLive } from "@/lib/queries/polling";

const TYPE_STYLE: Record<EventType, { row: string; badge: string; label: string }> = {
  info: { row: "", badge: "text-zinc-600 bg-zinc-100 dark:text-zinc-300 dark:bg-zinc-800", label: "Info" },
  success: {
    row: "bg-emerald-50/70 dark:bg-emerald-950/30",
    badge: "text-emerald-800 bg-emerald-100 dark:text-emerald-300 dark:bg-emerald-950",
    label: "Success",
  },
  warn: {
    row: "bg-amber-50/70 dark:bg-amber-950/30",
    badge: "text-amber-800 bg-amber-100 dark:text-amber-300 dark:bg-amber-950",
    label: "Warning",
  },
  error: { row: "bg-red-50/70 dark:bg-red-950/30", badge: "text-red-800 bg-red-100 dark:text-red-300 dark:bg-red-950", label: "Error" },
};

const chipClass =
  "rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 " +
  "dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800 " +
  "aria-pressed:bg-zinc-900 aria-pressed:text-white aria-pressed:ring-zinc-900 dark:aria-pressed:bg-zinc-100 dark:aria-pressed:text-zinc-900 dark:aria-pressed:ring-zinc-100";

/** A job's events, newest first: searchable, filterable by type, a page at a time, live while the job runs. */
export function EventLog({ job }: { job: JobJson }) {
  const searchId = useId();
  const childrenToggleId = useId();
  const [includeChildren, setIncludeChildren] = useState(job.childrenCount > 0);
  const [types, setTypes] = useState<EventType[]>([]);
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), 300);
  const filters: EventLogFilters = useMemo(
    () => ({ runId: job.runId, includeChildren, types, q }),
    [job.runId, includeChildren, types, q],
  );
  const filtersKey = JSON.stringify(filters);

  // Pages visited, as the maxId each starts at; empty: the newest page. Other filters start over.
  const [trail, setTrail] = useState<{ filtersKey: string; maxIds: string[] }>({ filtersKey, maxIds: [] });
  const maxIds = trail.filtersKey === filtersKey ? trail.maxIds : [];
  const maxId = maxIds.at(-1) ?? null;

  const live = isJobLive(job);
  const page = useQuery({ ...eventPageQueryOptions(filters, maxId, live), placeholderData: keepPreviousData });
  const newest = useQuery({ ...eventPageQueryOptions(filters, null, live), enabled: maxId !== null && live });

  // The events a job writes as it finishes land after the last poll; fetch once more when it ends.
  const queryClient = useQueryClient();
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) void queryClient.invalidateQueries({ queryKey: eventKeys.page(filters, null) });
    wasLive.current = live;
  }, [live, filters, queryClient]);

  const events = page.data ?? [];
  const filtered = types.length > 0 || q !== "";
  const oldest = events.at(-1);
  const hasOlder = events.length >= EVENTS_PAGE_SIZE && oldest !== undefined;
  const first = maxIds.length * EVENTS_PAGE_SIZE + 1;
  const newerArrived = maxId !== null && newest.data?.[0] !== undefined && events[0] !== undefined && newest.data[0].id !== (page.data?.[0]?.id ?? "");

  function go(next: string[]) {
    setTrail({ filtersKey, maxIds: next });
  }

  function toggleType(type: EventType) {
    setTypes((current) => (current.includes(type) ? current.filter((t) => t !== type) : EVENT_TYPES.filter((t) => t === type || current.includes(t))));
  }

  return (
    <section aria-labelledby="events-title" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-3">
          <h2 id="events-title" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
            Events
          </h2>
          {live ? (
            <span className="inline-flex items-center gap-1.5 text-xs font-medium text-emerald-700 dark:text-emerald-400" title="New events appear as the job writes them">
              <span aria-hidden="true" className="relative inline-flex size-2">
                <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-500 opacity-60 motion-reduce:hidden" />
                <span className="relative inline-flex size-2 rounded-full bg-emerald-500" />
              </span>
              Live
            </span>
          ) : null}
        </div>
        <EventsDownload filters={filters} jobId={job.id} filtered={filtered} />
      </div>

      <div className="flex flex-col gap-3 md:flex-row md:flex-wrap md:items-center">
        <div className="relative md:w-72">
          <label htmlFor={searchId} className="sr-only">
            Search events
          </label>
          <svg aria-hidden="true" viewBox="0 0 20 20" className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-zinc-400" fill="none" stroke="currentColor" strokeWidth="2">
            <circle cx="9" cy="9" r="6" />
            <path d="m14 14 4 4" />
          </svg>
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search events"
            className="block w-full rounded-md border-0 bg-white py-1.5 pl-8 pr-3 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700"
          />
        </div>
        <div role="group" aria-label="Filter events by type" className="flex flex-wrap gap-1.5">
          <button type="button" aria-pressed={types.length === 0} onClick={() => setTypes([])} className={chipClass}>
            All types
          </button>
          {EVENT_TYPES.map((type) => (
            <button key={type} type="button" aria-pressed={types.includes(type)} onClick={() => toggleType(type)} className={chipClass}>
              {TYPE_STYLE[type].label}
            </button>
          ))}
        </div>
        {job.childrenCount > 0 && (
          <div className="flex items-center gap-2 text-sm">
            <input
              id={childrenToggleId}
              type="checkbox"
              checked={includeChildren}
              onChange={(e) => setIncludeChildren(e.target.checked)}
              className="size-4 accent-indigo-600"
            />
            <label htmlFor={childrenToggleId} className="text-zinc-700 dark:text-zinc-300">
              Include child jobs&apos; events
            </label>
          </div>
        )}
      </div>

      {newerArrived && (
        <button
          type="button"
          onClick={() => go([])}
          className="w-full rounded-lg bg-emerald-50 px-4 py-2 text-sm font-medium text-emerald-800 ring-1 ring-inset ring-emerald-200 hover:bg-emerald-100 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800"
        >
          New events arrived · back to the newest
        </button>
      )}

      <div className={`overflow-hidden rounded-xl border border-zinc-200 bg-white transition-opacity dark:border-zinc-800 dark:bg-zinc-900 ${page.isPlaceholderData ? "opacity-60" : ""}`}>
        {page.isPending ? (
          <div className="space-y-2 p-4" aria-busy="true">
            <span role="status" className="sr-only">
              Loading events
            </span>
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-5 w-full" />
            ))}
          </div>
        ) : page.isError && events.length === 0 ? (
          <div className="p-4">
            <ErrorState title="Could not load the events" error={page.error} onRetry={() => void page.refetch()} />
          </div>
        ) : events.length === 0 ? (
          <EmptyState title={filtered ? "No events match" : "No events yet"}>
            {filtered ? "Try another search or type." : live ? "Events appear here as the job writes them." : null}
          </EmptyState>
        ) : (
          <ol aria-label="Events, newest first" aria-busy={page.isPlaceholderData || undefined} className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {events.map((event) => (
              <EventRow key={event.id} event={event} job={job} />
            ))}
          </ol>
        )}
      </div>

      {page.isRefetchError && (
        <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
          Could not fetch new events: {page.error?.message}
        </p>
      )}
      {(maxIds.length > 0 || hasOlder) && (
        <nav aria-label="Event pages" className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-500 dark:text-zinc-400">
          <span data-testid="event-range">
            Events {first.toLocaleString("en")}–{(first + events.length - 1).toLocaleString("en")}
            {maxIds.length > 0 && " (older)"}
          </span>
          <span className="flex gap-2">
            <Button size="sm" onClick={() => go([])} disabled={maxIds.length === 0}>
              Newest
            </Button>
            <Button size="sm" onClick={() => go(maxIds.slice(0, -1))} disabled={maxIds.length === 0}>
              Newer
            </Button>
            <Button size="sm" onClick={() => oldest && go([...maxIds, olderThan(oldest.id)])} disabled={!hasOlder || page.isPlaceholderData}>
              {page.isPlaceholderData && <Spinner />}
              Older events
            </Button>
          </span>
        </nav>
      )}
    </section>
  );
}

/** The log as a file: every event the filters select, fetched a thousand at a time. */
function EventsDownload({ filters, jobId, filtered }: { filters: EventLogFilters; jobId: string; filtered: boolean }) {
  const [progress, setProgress] = useState<{ count: number; abort: AbortController } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function download(format: "txt" | "jsonl") {
    const abort = new AbortController();
    setError(null);
    setProgress({ count: 0, abort });
    try {
      const events = await fetchAllEvents(filters, abort.signal, (count) => setProgress({ count, abort }));
      const text =
        format === "jsonl"
          ? events.map((e) => JSON.stringify(e)).join("\n")
          : events.map((e) => `${e.created}\t${e.type}\t${e.runId ?? ""}\t${e.message}${e.description ? ` — ${e.description}` : ""}`).join("\n");
      const url = URL.createObjectURL(new Blob([text, "\n"], { type: format === "jsonl" ? "application/x-ndjson" : "text/plain" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `job-${jobId}-events${filtered ? "-filtered" : ""}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      {progress ? (
        <>
          <Spinner label={`Downloading… ${progress.count.toLocaleString("en")} events`} />
          <Button size="sm" variant="ghost" onClick={() => progress.abort.abort()}>
            Cancel
          </Button>
        </>
      ) : (
        <div role="group" aria-label="Download events" className="flex items-center gap-1.5">
          <span className="text-xs text-zinc-500 dark:text-zinc-400">Download{filtered ? " matching" : ""}:</span>
          <Button size="sm" onClick={() => void download("txt")} title="Plain text, one event per line">
            .txt
          </Button>
          <Button size="sm" onClick={() => void download("jsonl")} title="JSON Lines: each event exactly as the API has it">
            .jsonl
          </Button>
        </div>
      )}
      {error && (
        <p role="alert" className="w-full text-red-700 dark:text-red-300">
          Could not download the events: {error}
        </p>
      )}
    </div>
  );
}

function EventRow({ event, job }: { event: EventJson; job: JobJson }) {
  const { lookup } = useComponentCatalog();
  const style = TYPE_STYLE[event.type];
  const fromChild = event.runId !== null && event.runId !== job.runId;
  const childId = event.runId?.split(".").at(-1);
  const sameDay = formatDateTime(event.created).slice(0, 10) === formatDateTime(new Date().toISOString()).slice(0, 10);
  return (
    <li data-event-id={event.id} data-type={event.type} className={`grid gap-x-4 gap-y-1 px-4 py-2.5 text-sm md:grid-cols-[9.5rem_5rem_minmax(0,1fr)_auto] ${style.row}`}>
      <time
        dateTime={event.created}
        title={`${formatDateTime(event.created)} local · ${formatUtc(event.created)}`}
        className="whitespace-nowrap font-mono text-xs tabular-nums text-zinc-500 md:pt-0.5 dark:text-zinc-400"
      >
        {sameDay ? formatTime(event.created) : formatDateTime(event.created)}
      </time>
      <span className={`h-fit w-fit rounded px-1.5 py-0.5 text-xs font-medium max-md:hidden ${style.badge}`}>{style.label}</span>
      <div className="min-w-0">
        <p className="break-words text-zinc-900 dark:text-zinc-100">
          <span className={`mr-2 rounded px-1.5 py-0.5 text-xs font-medium md:hidden ${style.badge}`}>{style.label}</span>
          {event.message}
        </p>
        {event.description && <p className="mt-0.5 whitespace-pre-wrap break-words text-xs text-zinc-600 dark:text-zinc-400">{event.description}</p>}
      </div>
      <div className="flex items-start gap-2 text-xs text-zinc-500 md:justify-end dark:text-zinc-400">
        {event.component && <span title={event.component}>{lookup(event.component).name}</span>}
        {fromChild && childId && (
          <Link href={`/jobs/${childId}`} prefetch={false} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
            #{childId}
          </Link>
        )}
      </div>
    </li>
  );
}
