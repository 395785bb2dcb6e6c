import { queryOptions, type QueryClient } from "@tanstack/react-query";
import type { EventType } from "@/lib/events/types";
import type { EventJson } from "@/lib/schemas/events";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, eventPollInterval } from "@/lib/queries/polling";

/** Events on one page of a log; a job with 100,000 events is read a page at a time. */
export const EVENTS_PAGE_SIZE = 100;
/** The API's largest page, for downloads. */
const DOWNLOAD_PAGE_SIZE = 1000;

export type EventLogFilters = { runId: string; includeChildren: boolean; types: EventType[]; q: string };

export const eventKeys = {
  all: ["events"] as const,
  log: (filters: EventLogFilters) => [...eventKeys.all, filters] as const,
  // `null`: the newest page, the only one that changes (and is polled while the job is live).
  page: (filters: EventLogFilters, maxId: string | null) => [...eventKeys.log(filters), "page", maxId ?? "newest"] as const,
};

function listEvents(filters: EventLogFilters, page: { sinceId?: string; maxId?: string; limit: number }, signal: AbortSignal) {
  return apiFetch<EventJson[]>("/api/v2/storage/events", {
    signal,
    params: {
      runId: filters.runId,
      includeChildren: filters.includeChildren ? "true" : undefined,
      type: filters.types.length > 0 ? filters.types : undefined,
      q: filters.q || undefined,
      sinceId: page.sinceId,
      maxId: page.maxId,
      limit: String(page.limit),
    },
  }).then((r) => r.data);
}

/** The id just below `id`: the maxId of the page after one that ends at `id`. */
export const olderThan = (id: string) => (BigInt(id) - BigInt(1)).toString();

/**
 * One page of a log, newest first, ending at `maxId` (null: the newest events). Older pages never
 * change. The newest page is polled while the job is live, and each poll asks only for events
 * newer than the newest one held (sinceId), so an idle log costs an empty answer.
 */
export function eventPageQueryOptions(filters: EventLogFilters, maxId: string | null, live: boolean) {
  const queryKey = eventKeys.page(filters, maxId);
  return queryOptions({
    queryKey,
    queryFn: async ({ signal, client }: { signal: AbortSignal; client: QueryClient }): Promise<EventJson[]> => {
      if (maxId !== null) return listEvents(filters, { maxId, limit: EVENTS_PAGE_SIZE }, signal);
      const held = client.getQueryData<EventJson[]>(queryKey);
      if (!held?.[0]) return listEvents(filters, { limit: EVENTS_PAGE_SIZE }, signal);
      const fresh = await listEvents(filters, { sinceId: held[0].id, limit: EVENTS_PAGE_SIZE }, signal);
      // A burst larger than a page: the newest page is simply the newest events again.
      if (fresh.length >= EVENTS_PAGE_SIZE) return fresh;
      return fresh.length === 0 ? held : [...fresh, ...held].slice(0, EVENTS_PAGE_SIZE);
    },
    staleTime: maxId === null ? 0 : Infinity,
    refetchInterval: maxId === null ? eventPollInterval(live) : false,
    ...backgroundPolling,
  });
}

/**
 * Every event the filters select, newest first, a thousand per request: for downloading a log
 * as a file. Reports progress after each page; stops when `signal` aborts.
 */
export async function fetchAllEvents(filters: EventLogFilters, signal: AbortSignal, onProgress: (count: number) => void): Promise<EventJson[]> {
  const all: EventJson[] = [];
  let maxId: string | undefined;
  for (;;) {
    const page = await listEvents(filters, { maxId, limit: DOWNLOAD_PAGE_SIZE }, signal);
    all.push(...page);
    onProgress(all.length);
    const oldest = page.at(-1);
    if (page.length < DOWNLOAD_PAGE_SIZE || !oldest) return all;
    maxId = olderThan(oldest.id);
  }
}
