import { infiniteQueryOptions, queryOptions, type QueryClient } from "@tanstack/react-query";
import { z } from "zod";
import type { EventType } from "@/lib/events/types";
import { type EventJson, eventSchema } from "@/lib/schemas/events";
import { apiFetch } from "@/lib/queries/api-fetch";
import { backgroundPolling, eventPollInterval } from "@/lib/queries/polling";

export const EVENTS_PAGE_SIZE = 100;
const LIVE_PAGE_SIZE = 200;

export type EventLogFilters = { runId: string; includeChildren: boolean; types: EventType[]; q: string };

export const eventKeys = {
  all: ["events"] as const,
  log: (filters: EventLogFilters) => [...eventKeys.all, filters] as const,
  older: (filters: EventLogFilters) => [...eventKeys.log(filters), "older"] as const,
  // Keyed by the newest event the older pages start at, so live events never overlap them.
  live: (filters: EventLogFilters, anchorId: string) => [...eventKeys.log(filters), "live", anchorId] as const,
};

const eventListSchema = z.array(eventSchema);

function listEvents(filters: EventLogFilters, page: { sinceId?: string; maxId?: string; limit: number }, signal: AbortSignal) {
  return apiFetch("/api/v2/storage/events", {
    schema: eventListSchema,
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

const previousId = (id: string) => (BigInt(id) - BigInt(1)).toString();

/** The log from its newest event backwards, one page per "Load older" (maxId paging). Events never change. */
export function olderEventsQueryOptions(filters: EventLogFilters) {
  return infiniteQueryOptions({
    queryKey: eventKeys.older(filters),
    queryFn: ({ pageParam, signal }) =>
      listEvents(filters, { maxId: pageParam ?? undefined, limit: EVENTS_PAGE_SIZE }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => {
      const oldest = lastPage.at(-1);
      return lastPage.length < EVENTS_PAGE_SIZE || !oldest ? null : previousId(oldest.id);
    },
    staleTime: Infinity,
  });
}

/**
 * Events newer than `anchorId`, polled with sinceId while the job is live. Each poll asks only for
 * what is newer than the newest event already held, and walks back (maxId) when a burst is larger
 * than one page, so the log has no gaps.
 */
export function liveEventsQueryOptions(filters: EventLogFilters, anchorId: string, live: boolean) {
  const queryKey = eventKeys.live(filters, anchorId);
  return queryOptions({
    queryKey,
    queryFn: async ({ signal, client }: { signal: AbortSignal; client: QueryClient }): Promise<EventJson[]> => {
      const held = client.getQueryData<EventJson[]>(queryKey) ?? [];
      const sinceId = held[0]?.id ?? anchorId;
      const fresh: EventJson[] = [];
      let maxId: string | undefined;
      for (;;) {
        const page = await listEvents(filters, { sinceId, maxId, limit: LIVE_PAGE_SIZE }, signal);
        fresh.push(...page);
        const oldest = page.at(-1);
        if (page.length < LIVE_PAGE_SIZE || !oldest) break;
        maxId = previousId(oldest.id);
      }
      return fresh.length === 0 ? held : [...fresh, ...held];
    },
    refetchInterval: eventPollInterval(live),
    ...backgroundPolling,
  });
}
