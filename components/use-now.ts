"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

/** The current time, re-read every `intervalMs`, so relative times and running durations tick. */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const subscribeToNothing = () => () => {};

/**
 * False while the server renders and while the browser hydrates that HTML, true after. Text that
 * depends on the browser (its clock, its time zone) waits for it, so server and browser agree.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(subscribeToNothing, () => true, () => false);
}
