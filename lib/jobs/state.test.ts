import { describe, expect, it } from "vitest";
import {
  FINAL_STATUSES,
  JOB_EVENTS,
  JOB_STATUSES,
  type JobEvent,
  type JobStatus,
  isFinished,
  isKillable,
  movesFor,
  nextStatus,
  statusesAllowing,
} from "./state";

// Every status × event pair, written out so a change to the machine has to change this table too.
const expected: Record<JobStatus, Record<JobEvent, JobStatus | null>> = {
  created: { wait: "waiting", start: "processing", succeed: null, warn: null, fail: null, kill: "cancelled", requeue: null },
  waiting: { wait: "waiting", start: "processing", succeed: null, warn: null, fail: null, kill: "cancelled", requeue: null },
  processing: { wait: null, start: null, succeed: "success", warn: "warning", fail: "error", kill: "terminating", requeue: "created" },
  terminating: { wait: null, start: null, succeed: "terminated", warn: "terminated", fail: "terminated", kill: null, requeue: "terminated" },
  success: { wait: null, start: null, succeed: null, warn: null, fail: null, kill: null, requeue: null },
  error: { wait: null, start: null, succeed: null, warn: null, fail: null, kill: null, requeue: null },
  warning: { wait: null, start: null, succeed: null, warn: null, fail: null, kill: null, requeue: null },
  cancelled: { wait: null, start: null, succeed: null, warn: null, fail: null, kill: null, requeue: null },
  terminated: { wait: null, start: null, succeed: null, warn: null, fail: null, kill: null, requeue: null },
};

describe("job state machine", () => {
  for (const status of JOB_STATUSES) {
    for (const event of JOB_EVENTS) {
      it(`${status} + ${event} → ${expected[status][event] ?? "illegal"}`, () => {
        expect(nextStatus(status, event)).toBe(expected[status][event]);
      });
    }
  }

  it("never moves a final job", () => {
    for (const status of FINAL_STATUSES) {
      expect(isFinished(status)).toBe(true);
      for (const event of JOB_EVENTS) expect(nextStatus(status, event)).toBeNull();
    }
  });

  it("calls exactly created, waiting and processing killable", () => {
    expect(JOB_STATUSES.filter(isKillable)).toEqual(["created", "waiting", "processing"]);
  });

  it("derives the conditional-update statuses from the same table", () => {
    expect(statusesAllowing("kill")).toEqual(["created", "waiting", "processing"]);
    expect(statusesAllowing("start")).toEqual(["created", "waiting"]);
    expect(statusesAllowing("succeed")).toEqual(["processing", "terminating"]);
  });

  it("lists every legal move of an event for set-based updates, and only those", () => {
    for (const event of JOB_EVENTS) {
      const { from, to } = movesFor(event);
      expect(from.map((s, i) => [s, to[i]])).toEqual(JOB_STATUSES.filter((s) => expected[s][event]).map((s) => [s, expected[s][event]]));
    }
    expect(movesFor("fail")).toEqual({ from: ["processing", "terminating"], to: ["error", "terminated"] });
  });
});
