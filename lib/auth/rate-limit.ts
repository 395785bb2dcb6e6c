// Failed authentications (wrong tokens on any API route, wrong sign-ins, dead session cookies) are
// limited per client address and per token prefix (the project id a Keboola-style token starts
// with), so a guesser can dodge neither by rotating addresses nor by rotating tokens. Past the
// allowance a key backs off, doubling its wait with each further failure; it is never a global lock,
// and a request that presents a valid token always goes through (lib/api/handler.ts checks the
// token before it refuses). Kept in memory: per process, which is what one `npm start` is.

export type RateLimiter = {
  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfter(key: string, now?: number): number;
  recordFailure(key: string, now?: number): void;
  reset(key: string): void;
};

type Entry = { failures: number[]; blockedUntil: number };

/**
 * The `maxFailures`-th failure in `windowMs` and each one after it blocks the key for `baseDelayMs`,
 * doubled per further failure, at most `maxDelayMs`.
 */
export function createRateLimiter(options: { maxFailures: number; windowMs: number; baseDelayMs?: number; maxDelayMs?: number; maxKeys?: number }): RateLimiter {
  const entries = new Map<string, Entry>();
  const maxKeys = options.maxKeys ?? 10_000;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? options.windowMs;
  const recent = (entry: Entry | undefined, now: number) => (entry?.failures ?? []).filter((t) => now - t < options.windowMs);
  return {
    retryAfter(key, now = Date.now()) {
      const entry = entries.get(key);
      if (!entry || entry.blockedUntil <= now) return 0;
      return Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000));
    },
    recordFailure(key, now = Date.now()) {
      const entry = entries.get(key);
      const failures = recent(entry, now);
      failures.push(now);
      const over = failures.length - options.maxFailures + 1;
      const blockedUntil = over > 0 ? now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, over - 1)) : 0;
      entries.delete(key);
      entries.set(key, { failures, blockedUntil: Math.max(blockedUntil, entry?.blockedUntil ?? 0) });
      // Forget the least recently failing keys first when the table is full.
      while (entries.size > maxKeys) entries.delete(entries.keys().next().value!);
    },
    reset(key) {
      entries.delete(key);
    },
  };
}

/** What a failed authentication is counted against: the client, and the token's prefix when there is a token. */
export function limitKeys(options: { client: string; token?: string | null }): string[] {
  const keys = [`client:${options.client}`];
  const prefix = tokenPrefix(options.token);
  if (prefix) keys.push(`token:${prefix}`);
  return keys;
}

/** "12-3f9a…" → "12" (the project the token claims); a token of another shape: its first 8 characters. */
export function tokenPrefix(token: string | null | undefined): string | null {
  const text = token?.trim();
  if (!text) return null;
  const dash = text.indexOf("-");
  return dash > 0 && dash <= 12 ? text.slice(0, dash) : text.slice(0, 8);
}

/** A set of limiters checked together: the longest wait of any key. */
export type KeyedLimiter = {
  retryAfter(keys: string[], now?: number): number;
  recordFailure(keys: string[], now?: number): void;
  reset(keys: string[]): void;
};

function keyed(limiter: RateLimiter): KeyedLimiter {
  return {
    retryAfter: (keys, now) => Math.max(0, ...keys.map((key) => limiter.retryAfter(key, now))),
    recordFailure: (keys, now) => keys.forEach((key) => limiter.recordFailure(key, now)),
    reset: (keys) => keys.forEach((key) => limiter.reset(key)),
  };
}

// Sign-in: 10 free failures per client or token prefix in 5 minutes, then 1 s, 2 s, 4 s… up to 5 minutes.
export const signInLimiter: KeyedLimiter = keyed(createRateLimiter({ maxFailures: 10, windowMs: 5 * 60_000, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 }));

// API tokens: programs retry, so more room (a revoked token in a cron job must not be locked for long).
export const apiAuthLimiter: KeyedLimiter = keyed(createRateLimiter({ maxFailures: 50, windowMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 60_000 }));
