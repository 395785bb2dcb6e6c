import { describe, expect, it } from "vitest";
import { harperStatus, toHarperJob } from "@/lib/operations/harper-jobs";
import type { StorageJobJson } from "@/lib/schemas/storage";
import { mergeModeFor } from "@/lib/storage/operations/table-import";
import { headerMismatch } from "@/lib/storage/operations/stage-csv-file";

const job: StorageJobJson = {
  id: "12",
  status: "error",
  url: "http://x/api/v2/storage/jobs/12",
  tableId: "in.c-main.orders",
  operationName: "tableImport",
  operationParams: {},
  createdTime: "2026-01-01T00:00:00.000Z",
  startTime: "2026-01-01T00:00:01.000Z",
  endTime: "2026-01-01T00:00:02.000Z",
  runId: null,
  results: null,
  creatorToken: { id: "1", description: "me" },
  metrics: { inBytes: 0, outBytes: 0 },
  error: { code: "invalidCsv", message: "Line 2: bad" },
  isFinished: true,
  durationSeconds: 1,
};

describe("HarperDB view of Storage jobs", () => {
  it("maps every status to IN_PROGRESS, COMPLETE or ERROR", () => {
    expect([harperStatus("waiting"), harperStatus("processing"), harperStatus("success"), harperStatus("error")]).toEqual(["IN_PROGRESS", "IN_PROGRESS", "COMPLETE", "ERROR"]);
  });

  it("names the operation as HarperDB does and carries the error", () => {
    expect(toHarperJob(job)).toMatchObject({ id: "12", type: "csv_data_load", status: "ERROR", message: "Line 2: bad", user: "me", start_datetime: Date.parse(job.startTime!) });
    expect(toHarperJob({ ...job, operationName: "tableSnapshotCreate", status: "success", error: null }).type).toBe("tableSnapshotCreate");
  });
});

describe("import rules", () => {
  it("chooses how rows meet the table", () => {
    expect(mergeModeFor({ incremental: false, hasPrimaryKey: true })).toBe("replace");
    expect(mergeModeFor({ incremental: true, hasPrimaryKey: true })).toBe("upsert");
    expect(mergeModeFor({ incremental: true, action: "insert", hasPrimaryKey: true })).toBe("insertNew");
    expect(mergeModeFor({ incremental: true, action: "update", hasPrimaryKey: true })).toBe("updateExisting");
    expect(mergeModeFor({ incremental: true, action: "insert", hasPrimaryKey: false })).toBe("append");
    expect(() => mergeModeFor({ incremental: true, action: "update", hasPrimaryKey: false })).toThrow(/primary key/);
  });

  it("matches a header to the table's columns in any order", () => {
    expect(headerMismatch(["b", "a"], ["a", "b"])).toBeNull();
    expect(headerMismatch(["a", "c"], ["a", "b"])).toBe("the header does not match the table's columns (a, b): missing column b; unknown column c");
  });
});
