import { describe, expect, it } from "vitest";
import { newWebhookSecret, signPayload, verifySignature } from "@/lib/notifications/signature";

describe("webhook signatures", () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ event: "job-failed", job: { id: "1" } });

  it("verifies over the exact body and timestamp", () => {
    const header = signPayload({ secret, body, timestamp: 1_700_000_000 });
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature({ secret, body, header, now: 1_700_000_010 })).toBe(true);
  });

  it("refuses another body, another secret, a bad header and an old timestamp", () => {
    const header = signPayload({ secret, body, timestamp: 1_700_000_000 });
    expect(verifySignature({ secret, body: body + " ", header, now: 1_700_000_000 })).toBe(false);
    expect(verifySignature({ secret: newWebhookSecret(), body, header, now: 1_700_000_000 })).toBe(false);
    expect(verifySignature({ secret, body, header: "v1=abc", now: 1_700_000_000 })).toBe(false);
    expect(verifySignature({ secret, body, header, now: 1_700_001_000 })).toBe(false);
  });
});
