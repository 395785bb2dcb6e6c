import { describe, expect, it } from "vitest";
import { parseTimeFilter } from "./time";

const now = new Date("2026-11-23T17:30:00.000Z");

describe("parseTimeFilter", () => {
  it.each([
    ["-8 hours", "2026-11-23T09:30:00.000Z"],
    ["8 hours ago", "2026-11-23T09:30:00.000Z"],
    ["-1 day", "2026-11-22T17:30:00.000Z"],
    ["+2 weeks", "2026-12-07T17:30:00.000Z"],
    ["today", "2026-11-23T00:00:00.000Z"],
    ["yesterday", "2026-11-22T00:00:00.000Z"],
    ["now", "2026-11-23T17:30:00.000Z"],
    ["2026-01-02", "2026-01-02T00:00:00.000Z"],
    ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"],
    ["2026-01-02T03:04:05+02:00", "2026-01-02T01:04:05.000Z"],
  ])("reads %s", (input, expected) => {
    expect(parseTimeFilter(input, now)?.toISOString()).toBe(expected);
  });

  it.each(["", "soon", "-8 parsecs", "2026-13-45", "1700000000", "2026-01-02'; drop table"])("refuses %j", (input) => {
    expect(parseTimeFilter(input, now)).toBeNull();
  });
});
