// When a failed delivery is tried again: exponential backoff (2 s, 4 s, 8 s … at most 10 min) with
// jitter (each wait drawn from its upper half), for a bounded time after the delivery was made.

const BASE_MS = 2_000;
const MAX_MS = 10 * 60_000;

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The next attempt's time, or null when the delivery has been retried for long enough. */
export function nextAttemptAt(options: { attempt: number; createdAt: Date; now: Date; retryForMs: number; random?: () => number; delayMs?: (attempt: number) => number }): Date | null {
  const delay = options.delayMs ? options.delayMs(options.attempt) : backoffMs(options.attempt, options.random);
  const next = new Date(options.now.getTime() + delay);
  return next.getTime() - options.createdAt.getTime() > options.retryForMs ? null : next;
}

/** Whether an HTTP answer is worth trying again: server errors, 408 and 429; other 4xx mean the request itself is refused. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
