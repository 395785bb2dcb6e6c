import { describe, expect, it } from "vitest";
import { FINAL_STATUSES, JOB_STATUSES } from "./state";
import { countByGroup, groupOfStatuses, STATUS_GROUP_MEMBERS } from "./status-groups";

describe("status groups", () => {
  it("running and waiting hold every unfinished status once, and nothing final", () => {
    const unfinished = [...STATUS_GROUP_MEMBERS.running, ...STATUS_GROUP_MEMBERS.waiting];
    expect(new Set(unfinished).size).toBe(unfinished.length);
    expect([...unfinished].sort()).toEqual(JOB_STATUSES.filter((s) => !(FINAL_STATUSES as readonly string[]).includes(s)).sort());
    expect(STATUS_GROUP_MEMBERS.running).toEqual(["processing", "terminating"]);
  });

  it("sums per-status counts into groups", () => {
    expect(countByGroup({ processing: 2, terminating: 1, created: 4, waiting: 1, error: 3, success: 10 })).toEqual({
      all: 21,
      running: 3,
      waiting: 5,
      failed: 3,
    });
  });

  it("recognises a status filter that is exactly a group", () => {
    expect(groupOfStatuses([])).toBe("all");
    expect(groupOfStatuses(["terminating", "processing"])).toBe("running");
    expect(groupOfStatuses(["error"])).toBe("failed");
    expect(groupOfStatuses(["error", "warning"])).toBeNull();
  });
});
