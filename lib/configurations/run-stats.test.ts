import { describe, expect, it } from "vitest";
import { isFarFromUsual, usualSeconds } from "@/lib/configurations/run-stats";

const run = (id: string, status: string, durationSeconds: number | null) => ({ id, status, durationSeconds });

describe("usualSeconds", () => {
  it("averages the last successful runs only, leaving the job in question out", () => {
    const runs = [run("5", "error", 500), run("4", "success", 60), run("3", "processing", null), run("2", "success", 120), run("1", "success", 999)];
    expect(usualSeconds(runs, "1")).toEqual({ seconds: 90, runs: 2 });
    expect(usualSeconds([run("1", "error", 5)])).toBeNull();
  });

  it("keeps to the ten newest successes", () => {
    const runs = [...Array.from({ length: 10 }, (_, i) => run(String(20 - i), "success", 10)), run("1", "success", 1000)];
    expect(usualSeconds(runs)).toEqual({ seconds: 10, runs: 10 });
  });
});

describe("isFarFromUsual", () => {
  it("says so for 3 min against a usual 1 min, and not for small or close differences", () => {
    expect(isFarFromUsual(180, 60)).toBe(true);
    expect(isFarFromUsual(20, 120)).toBe(true);
    expect(isFarFromUsual(70, 60)).toBe(false);
    expect(isFarFromUsual(4, 2)).toBe(false);
  });
});
