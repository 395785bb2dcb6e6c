// The one place that decides how often the dashboard polls. Hidden tabs pause: TanStack Query
// only refetches on an interval in the background when asked to, and we never ask.
import { isFinished } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";

export const FAST_POLL_MS = 2_000;
export const SLOW_POLL_MS = 30_000;

export const backgroundPolling = { refetchIntervalInBackground: false } as const;

/** ≈2 s while something shown is unfinished, ≈30 s otherwise (Storage views and other lists). */
export function pollInterval(somethingUnfinished: boolean): number {
  return somethingUnfinished ? FAST_POLL_MS : SLOW_POLL_MS;
}

/** A job is live while it, or anything below it, can still change. */
export function isJobLive(job: Pick<JobJson, "status" | "subtree">): boolean {
  return !isFinished(job.status) || job.subtree.unfinished > 0;
}

/** ≈2 s while anything shown can still change, ≈30 s once everything shown is final. */
export function pollIntervalFor(jobs: readonly Pick<JobJson, "status" | "subtree">[] | undefined): number {
  return pollInterval(jobs?.some(isJobLive) ?? false);
}

/** Pages of a list kept live; reading deeper into the history, the list stops polling fast. */
export const LIVE_LIST_PAGES = 4;

/** The jobs list: as pollIntervalFor, but slow once the reader has paged deep into the history. */
export function listPollInterval(pages: readonly { jobs: readonly Pick<JobJson, "status" | "subtree">[] }[] | undefined): number {
  if (pages && pages.length > LIVE_LIST_PAGES) return SLOW_POLL_MS;
  return pollIntervalFor(pages?.flatMap((page) => page.jobs));
}

/** Tab counts: counting is heavier than a page of rows, so ≈5 s while anything is unfinished. */
export const COUNTS_POLL_MS = 5_000;
export function countsPollInterval(counts: { total: number; groups: { running: number; waiting: number } } | undefined): number {
  return counts && counts.groups.running + counts.groups.waiting > 0 ? COUNTS_POLL_MS : SLOW_POLL_MS;
}

/** Event logs only poll while their job is live; a finished job's log never grows. */
export function eventPollInterval(live: boolean): number | false {
  return live ? FAST_POLL_MS : false;
}
