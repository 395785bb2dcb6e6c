import { describe, expect, it } from "vitest";
import { zodToApiError } from "@/lib/api/handler";
import { createSubscriptionSchema } from "@/lib/schemas/notifications";

const problem = (body: unknown) => {
  const parsed = createSubscriptionSchema.safeParse(body);
  if (parsed.success) return null;
  const error = zodToApiError(parsed.error);
  return { status: error.status, field: error.field, message: error.message };
};

describe("subscription input", () => {
  it("takes Keboola's shape and fills the defaults", () => {
    expect(
      createSubscriptionSchema.parse({
        event: "job-failed",
        filters: [{ field: "job.configuration.id", value: 123 }],
        recipient: { channel: "webhook", url: "https://hooks.example.com/x" },
      }),
    ).toEqual({
      event: "job-failed",
      filters: [{ field: "job.configuration.id", value: "123", operator: "==" }],
      recipient: { channel: "webhook", url: "https://hooks.example.com/x", format: "json" },
    });
    expect(createSubscriptionSchema.parse({ event: "job-processing-long", filters: [{ field: "durationOvertimePercentage", operator: ">=", value: 0.75 }], recipient: { channel: "email", address: "ops@example.com" } }).filters).toEqual([
      { field: "durationOvertimePercentage", operator: ">=", value: 0.75 },
    ]);
  });

  it("names an unknown event, filter field or operator", () => {
    expect(problem({ event: "job-exploded", recipient: { channel: "email", address: "a@b.co" } })).toEqual({ status: 422, field: "event", message: expect.stringMatching(/unknown event "job-exploded"; known: job-failed/) });
    expect(problem({ event: "job-failed", filters: [{ field: "job.colour", value: "x" }], recipient: { channel: "email", address: "a@b.co" } })).toMatchObject({ field: "filters.0.field", message: expect.stringContaining('unknown filter field "job.colour"') });
    expect(problem({ event: "job-failed", filters: [{ field: "branch.id", value: "x", operator: ">" }], recipient: { channel: "email", address: "a@b.co" } })).toMatchObject({ field: "filters.0.operator" });
    expect(problem({ event: "job-failed", filters: [{ field: "durationOvertimePercentage", value: 1 }], recipient: { channel: "email", address: "a@b.co" } })).toMatchObject({ field: "filters.0.field", message: expect.stringMatching(/only filters job-processing-long/) });
  });

  it("refuses a malformed e-mail address or URL, and an unknown channel", () => {
    expect(problem({ event: "job-failed", recipient: { channel: "email", address: "not an address" } })).toMatchObject({ status: 422, field: "recipient.address" });
    for (const url of ["not a url", "ftp://example.com/x", "https://user:pass@example.com/x", "javascript:alert(1)"]) {
      expect(problem({ event: "job-failed", recipient: { channel: "webhook", url } }), url).toMatchObject({ status: 422, field: "recipient.url" });
    }
    expect(problem({ event: "job-failed", recipient: { channel: "pigeon", address: "x" } })).toMatchObject({ status: 422, field: "recipient.channel" });
    expect(problem({ event: "job-failed", recipient: { channel: "email", url: "https://x.example" } })).toMatchObject({ status: 422 });
  });
});
