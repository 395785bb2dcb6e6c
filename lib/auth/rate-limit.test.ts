import { describe, expect, it } from "vitest";
import { createRateLimiter, limitKeys, tokenPrefix } from "./rate-limit";

describe("failed-authentication rate limiter", () => {
  it("lets a key fail up to the limit, then backs off: the wait doubles with each further failure", () => {
    const limiter = createRateLimiter({ maxFailures: 3, windowMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 8_000 });
    for (let i = 0; i < 2; i++) {
      limiter.recordFailure("a", 1000);
      expect(limiter.retryAfter("a", 1000)).toBe(0);
    }
    const waits = [];
    for (let i = 0; i < 6; i++) {
      limiter.recordFailure("a", 1000);
      waits.push(limiter.retryAfter("a", 1000));
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
    expect(limiter.retryAfter("b", 1000)).toBe(0);
    // A backoff, not a lock: once the wait is over the key may try again.
    expect(limiter.retryAfter("a", 1000 + 8_000)).toBe(0);
  });

  it("forgets failures older than the window, and a key after a success", () => {
    const limiter = createRateLimiter({ maxFailures: 2, windowMs: 60_000 });
    limiter.recordFailure("a", 0);
    limiter.recordFailure("a", 70_000);
    expect(limiter.retryAfter("a", 70_000)).toBe(0);
    limiter.recordFailure("a", 70_001);
    expect(limiter.retryAfter("a", 70_001)).toBeGreaterThan(0);
    limiter.reset("a");
    expect(limiter.retryAfter("a", 70_002)).toBe(0);
  });

  it("keeps its table bounded", () => {
    const limiter = createRateLimiter({ maxFailures: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.recordFailure("a", 0);
    limiter.recordFailure("b", 0);
    limiter.recordFailure("c", 0);
    expect(limiter.retryAfter("a", 1)).toBe(0);
    expect(limiter.retryAfter("c", 1)).toBeGreaterThan(0);
  });

  it("counts a failure against the client and the token's prefix", () => {
    expect(tokenPrefix("12-3f9a0b")).toBe("12");
    expect(tokenPrefix("faults-demo-123")).toBe("faults");
    expect(tokenPrefix("nodashatallhere")).toBe("nodashat");
    expect(tokenPrefix("  ")).toBeNull();
    expect(limitKeys({ client: "10.0.0.1", token: "12-abc" })).toEqual(["client:10.0.0.1", "token:12"]);
    expect(limitKeys({ client: "10.0.0.1" })).toEqual(["client:10.0.0.1"]);
  });
});
