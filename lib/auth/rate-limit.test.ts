import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limit";

describe("sign-in rate limiter", () => {
  it("lets a client fail up to the limit, then makes it wait until the oldest failure ages out", () => {
    const limiter = createRateLimiter({ maxFailures: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter("a", 1000 + i)).toBe(0);
      limiter.recordFailure("a", 1000 + i);
    }
    expect(limiter.retryAfter("a", 2000)).toBe(59);
    expect(limiter.retryAfter("b", 2000)).toBe(0);
    expect(limiter.retryAfter("a", 61_000)).toBe(0);
  });

  it("forgets a client after a success", () => {
    const limiter = createRateLimiter({ maxFailures: 1, windowMs: 60_000 });
    limiter.recordFailure("a", 0);
    expect(limiter.retryAfter("a", 1)).toBeGreaterThan(0);
    limiter.reset("a");
    expect(limiter.retryAfter("a", 1)).toBe(0);
  });

  it("keeps its table bounded", () => {
    const limiter = createRateLimiter({ maxFailures: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.recordFailure("a", 0);
    limiter.recordFailure("b", 0);
    limiter.recordFailure("c", 0);
    expect(limiter.retryAfter("a", 1)).toBe(0);
    expect(limiter.retryAfter("c", 1)).toBeGreaterThan(0);
  });
});
