import { describe, expect, it } from "vitest";
import { cronProblem, describeCron, dueSlot, nextSlots } from "@/lib/schedules/cron";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("schedule slots across DST in Europe/Prague", () => {
  it("runs a 02:30 daily schedule once on the spring-forward day, at 03:00 local (the first time after the gap)", () => {
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 02:30 does not exist.
    const slots = nextSlots({ cronTab: "30 2 * * *", timezone: "Europe/Prague", after: new Date("2026-03-27T12:00:00Z"), count: 4 });
    expect(iso(slots)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, right after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("runs a 01:30 and a 02:30 daily schedule once on the fall-back day", () => {
    // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET; 02:00–02:59 happens twice.
    const after = new Date("2026-10-24T12:00:00Z");
    const early = nextSlots({ cronTab: "30 1 * * *", timezone: "Europe/Prague", after, count: 2 });
    expect(iso(early)).toEqual(["2026-10-24T23:30:00.000Z", "2026-10-26T00:30:00.000Z"]);
    const twice = nextSlots({ cronTab: "30 2 * * *", timezone: "Europe/Prague", after, count: 2 });
    // Only the first 02:30 (CEST), not the second (CET) an hour later.
    expect(iso(twice)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("keeps an hourly schedule running through the repeated hour (25 runs that day)", () => {
    const slots = nextSlots({ cronTab: "0 * * * *", timezone: "Europe/Prague", after: new Date("2026-10-24T21:59:00Z"), count: 30 });
    const that = slots.filter((d) => d >= new Date("2026-10-24T22:00:00Z") && d < new Date("2026-10-25T23:00:00Z"));
    expect(that).toHaveLength(25);
    expect(iso(slots).slice(2, 4)).toEqual(["2026-10-25T00:00:00.000Z", "2026-10-25T01:00:00.000Z"]); // 02:00 CEST, 02:00 CET
  });

  it("reads the expression in the schedule's zone, not the server's", () => {
    const [ny] = nextSlots({ cronTab: "0 9 * * 1", timezone: "America/New_York", after: new Date("2026-07-01T00:00:00Z"), count: 1 });
    expect(ny!.toISOString()).toBe("2026-07-06T13:00:00.000Z");
  });
});

describe("due slots: one catch-up run, not a burst", () => {
  it("runs only the latest slot and counts the ones missed before it", () => {
    const due = dueSlot({ cronTab: "*/5 * * * *", timezone: "UTC", from: new Date("2026-01-01T10:00:00Z"), now: new Date("2026-01-01T10:32:10Z") });
    expect(due).toEqual({ slot: new Date("2026-01-01T10:30:00Z"), missed: 6 });
  });

  it("runs a slot that has just come, with nothing missed", () => {
    expect(dueSlot({ cronTab: "* * * * *", timezone: "UTC", from: new Date("2026-01-01T10:01:00Z"), now: new Date("2026-01-01T10:01:00.400Z") }))
      .toEqual({ slot: new Date("2026-01-01T10:01:00Z"), missed: 0 });
  });

  it("has nothing due before the next slot", () => {
    expect(dueSlot({ cronTab: "* * * * *", timezone: "UTC", from: new Date("2026-01-01T10:02:00Z"), now: new Date("2026-01-01T10:01:59Z") })).toBeNull();
  });

  it("counts missed slots across the spring-forward gap in the schedule's zone", () => {
    // Daily 02:30 Prague, nothing ran from the 28th's slot until the 31st.
    const due = dueSlot({ cronTab: "30 2 * * *", timezone: "Europe/Prague", from: new Date("2026-03-28T01:30:00Z"), now: new Date("2026-03-31T06:00:00Z") });
    expect(due).toEqual({ slot: new Date("2026-03-31T00:30:00Z"), missed: 3 });
  });
});

describe("bad expressions and zones", () => {
  it.each([
    ["61 * * * *", "cronTab", /minute/],
    ["* * * *", "cronTab", /five fields/],
    ["0 0 * * * *", "cronTab", /five fields/],
    ["0 0 30 2 *", "cronTab", /never runs/],
    ["every day", "cronTab", /five fields/],
  ])("refuses %s", (cronTab, field, message) => {
    const problem = cronProblem(cronTab, "UTC");
    expect(problem?.field).toBe(field);
    expect(problem?.message).toMatch(message);
  });

  it("refuses a time zone that does not exist", () => {
    expect(cronProblem("0 * * * *", "Mars/Olympus")).toEqual({ field: "timezone", message: expect.stringContaining("not a time zone") });
  });

  it("accepts Keboola's usual expressions", () => {
    for (const cronTab of ["0 * * * *", "10,20,30,40,50 * * * *", "*/15 8-18 * * MON-FRI", "@daily"]) expect(cronProblem(cronTab, "Europe/Prague")).toBeNull();
  });

  it("reads an expression for people", () => {
    expect(describeCron("30 2 * * *")).toBe("At 02:30");
    expect(describeCron("*/5 * * * *")).toBe("Every 5 minutes");
  });
});
