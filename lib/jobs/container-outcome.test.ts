import { describe, expect, it } from "vitest";
import { containerOutcome, type FinishedChild } from "@/lib/jobs/container-outcome";

const child = (id: number, status: string, onError: string | null = null): FinishedChild => ({ id: BigInt(id), status, component: "jobdeck.noop", config: String(id), result: {}, onError });

describe("how a container ends", () => {
  it("fails on a failed child", () => {
    expect(containerOutcome([child(1, "success"), child(2, "error")], null).outcome).toBe("fail");
  });

  it("only warns for a failed task that continues on failure (its job's onError is warning)", () => {
    const ended = containerOutcome([child(1, "success"), child(2, "error", "warning")], null);
    expect(ended).toEqual({ outcome: "warn", result: { message: "Finished with warnings: job 2 (jobdeck.noop/2) failed; its task continues on failure." } });
  });

  it("still fails when such a task was terminated rather than failing by itself", () => {
    expect(containerOutcome([child(1, "terminated", "warning")], null).outcome).toBe("fail");
  });

  it("succeeds with no children (every task of a phase disabled)", () => {
    expect(containerOutcome([], null).outcome).toBe("succeed");
  });
});
