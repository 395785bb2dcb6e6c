// How often live views refetch (PRODUCT.md: fast while something shown is unfinished, slow when
// all is final; React Query pauses interval refetches in hidden tabs). Minimal version from the
// storage branch: the dashboard's polling module replaces it at merge.
export const POLL_FAST_MS = 2_000;
export const POLL_SLOW_MS = 30_000;

export function pollInterval(somethingUnfinished: boolean): number {
  return somethingUnfinished ? POLL_FAST_MS : POLL_SLOW_MS;
}
