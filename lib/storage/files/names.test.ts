import { describe, expect, it } from "vitest";
import { contentDisposition } from "@/lib/storage/files/content-disposition";
import { fileNameProblem, tagProblem } from "@/lib/storage/files/names";

describe("file names and tags", () => {
  it.each(["orders.csv", "in.c-main.orders.csv", "Report (final) 2024.csv", "données.csv", "a+b.txt"])("accepts %j", (name) => {
    expect(fileNameProblem(name)).toBeNull();
  });

  it.each(["", "../etc/passwd", "..", "a/b.csv", "a\\b.csv", ".hidden", "x..y", "a;DROP TABLE x", "quote'.csv", "nul\u0000.csv", "tab\t.csv", "x".repeat(256)])(
    "refuses %j",
    (name) => {
      expect(fileNameProblem(name)).not.toBeNull();
    },
  );

  it("accepts plain tags only", () => {
    expect(tagProblem("snapshot")).toBeNull();
    expect(tagProblem("run:123")).toBeNull();
    expect(tagProblem("'; --")).not.toBeNull();
    expect(tagProblem("")).not.toBeNull();
  });

  it("sends names safely in Content-Disposition", () => {
    expect(contentDisposition("orders.csv")).toBe(`attachment; filename="orders.csv"; filename*=UTF-8''orders.csv`);
    expect(contentDisposition("données.csv")).toBe(`attachment; filename="donn_es.csv"; filename*=UTF-8''donn%C3%A9es.csv`);
  });
});
