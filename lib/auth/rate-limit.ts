// Failed sign-ins per client are limited, so a token cannot be guessed by trying many. Kept in
// memory: per process, which is what one `npm start` is; a farm of web processes multiplies it.

export type RateLimiter = {
  /** Seconds to wait before trying again, or 0 when the client may try now. */
  retryAfter(key: string, now?: number): number;
  recordFailure(key: string, now?: number): void;
  reset(key: string): void;
};

export function createRateLimiter(options: { maxFailures: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const failures = new Map<string, number[]>();
  const maxKeys = options.maxKeys ?? 10_000;
  const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((t) => now - t < options.windowMs);
  return {
    retryAfter(key, now = Date.now()) {
      const times = recent(key, now);
      if (times.length < options.maxFailures) return 0;
      return Math.ceil((times[0]! + options.windowMs - now) / 1000);
    },
    recordFailure(key, now = Date.now()) {
      const times = recent(key, now);
      times.push(now);
      failures.delete(key);
      failures.set(key, times);
      // Forget the oldest clients first when the table is full.
      while (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
    },
    reset(key) {
      failures.delete(key);
    },
  };
}

const perClient = createRateLimiter({ maxFailures: 10, windowMs: 5 * 60_000 });
// The client address comes from X-Forwarded-For, which a client can forge; a ceiling over all
// clients still bounds guessing (a token has 160 random bits; this is defence in depth).
const everyone = createRateLimiter({ maxFailures: 200, windowMs: 5 * 60_000 });
const ALL = "*";

export const signInLimiter: RateLimiter = {
  retryAfter: (key, now) => Math.max(perClient.retryAfter(key, now), everyone.retryAfter(ALL, now)),
  recordFailure(key, now) {
    perClient.recordFailure(key, now);
    everyone.recordFailure(ALL, now);
  },
  reset: (key) => perClient.reset(key),
};
