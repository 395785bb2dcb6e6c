import { describe, expect, it } from "vitest";
import { backoffMs, isRetryableStatus, nextAttemptAt } from "@/lib/notifications/retry";

describe("delivery retries", () => {
  it("doubles the wait per attempt, within its upper half, up to ten minutes", () => {
    expect(backoffMs(1, () => 0)).toBe(1_000);
    expect(backoffMs(1, () => 1)).toBe(2_000);
    expect(backoffMs(3, () => 1)).toBe(8_000);
    expect(backoffMs(30, () => 1)).toBe(600_000);
    expect(backoffMs(30, () => 0)).toBe(300_000);
  });

  it("stops once the delivery has been retried for the bounded time", () => {
    const createdAt = new Date("2026-01-01T00:00:00Z");
    expect(nextAttemptAt({ attempt: 1, createdAt, now: createdAt, retryForMs: 60_000, random: () => 1 })).toEqual(new Date("2026-01-01T00:00:02Z"));
    expect(nextAttemptAt({ attempt: 1, createdAt, now: new Date("2026-01-01T00:00:59Z"), retryForMs: 60_000, random: () => 1 })).toBeNull();
    expect(nextAttemptAt({ attempt: 1, createdAt, now: createdAt, retryForMs: 0 })).toBeNull();
  });

  it("retries server errors, timeouts and rate limits, not other refusals", () => {
    expect([500, 502, 503, 408, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 410, 422].some(isRetryableStatus)).toBe(false);
  });
});
