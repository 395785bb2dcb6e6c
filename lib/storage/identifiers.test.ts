import { describe, expect, it } from "vitest";
import {
  columnNamesProblem,
  newSqlName,
  newStagingName,
  parseBucketId,
  parseTableId,
  primaryKeyProblem,
  quoteIdent,
  SQL_NAME_PATTERN,
  storageTableRef,
} from "@/lib/storage/identifiers";

describe("Storage identifiers", () => {
  it("parses bucket and table ids of both stages", () => {
    expect(parseBucketId("in.c-main")).toEqual({ stage: "in", name: "main" });
    expect(parseBucketId("out.c-my_reports-2")).toEqual({ stage: "out", name: "my_reports-2" });
    expect(parseTableId("in.c-main.orders")).toEqual({ stage: "in", bucketName: "main", bucketId: "in.c-main", name: "orders", tableId: "in.c-main.orders" });
  });

  it.each(["", "in.main", "sys.c-main", "in.c-", "in.c-ma in", "in.c-main;", "in.c-../etc", "IN.c-main", "in.c-_x"])("refuses the bucket id %j", (id) => {
    expect(parseBucketId(id)).toBeNull();
  });

  it.each([
    "in.c-main",
    "in.c-main.",
    "in.c-main.orders.extra",
    'in.c-main.orders"; DROP TABLE "File',
    "in.c-main.orders' OR '1'='1",
    "in.c-main/../../etc/passwd",
    "in.c-main.or ders",
    `in.c-main.${"x".repeat(97)}`,
  ])("refuses the table id %j", (id) => {
    expect(parseTableId(id)).toBeNull();
  });

  it("accepts column names Keboola accepts and names the first problem", () => {
    expect(columnNamesProblem(["id", "Name", "amount_2", "9lives"])).toBeNull();
    expect(columnNamesProblem([])).toMatch(/no columns/);
    expect(columnNamesProblem(["id", "_hidden"])).toMatch(/column 2 "_hidden" is not a valid column name/);
    expect(columnNamesProblem(["id", 'x"; DROP TABLE t; --'])).toMatch(/column 2/);
    expect(columnNamesProblem(["id", "a b"])).toMatch(/column 2/);
    expect(columnNamesProblem(["Id", "id"])).toMatch(/"id" appears twice/);
    expect(columnNamesProblem(["x".repeat(65)])).toMatch(/column 1/);
    expect(columnNamesProblem(Array.from({ length: 1001 }, (_, i) => `c${i}`))).toMatch(/1001 columns/);
  });

  it("checks a primary key against the columns", () => {
    expect(primaryKeyProblem(["id"], ["id", "name"])).toBeNull();
    expect(primaryKeyProblem(["nope"], ["id"])).toMatch(/"nope" is not a column/);
    expect(primaryKeyProblem(["id", "id"], ["id"])).toMatch(/twice/);
  });

  it("quotes only identifiers that match the strict pattern", () => {
    expect(quoteIdent("amount_2")).toBe('"amount_2"');
    for (const bad of ['a"b', "a;b", "", "x".repeat(64), "a-b", "a b"]) expect(() => quoteIdent(bad)).toThrow(/Refusing/);
    expect(() => storageTableRef("t1_x; DROP SCHEMA storage")).toThrow(/Refusing/);
    expect(() => storageTableRef('"File"')).toThrow(/Refusing/);
  });

  it("makes physical names that fit PostgreSQL and the migration's CHECK", () => {
    const long = parseTableId(`out.c-${"B".repeat(96)}.${"t".repeat(96)}`)!;
    const name = newSqlName(123456789, long, "0a1b2c3d");
    expect(name).toMatch(SQL_NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(newSqlName(7, parseTableId("in.c-Main-Data.Orders-2024")!, "deadbeef")).toBe("t7_in_main_data_orders_2024_deadbeef");
    expect(newSqlName(7, parseTableId("in.c-a.b")!)).not.toBe(newSqlName(7, parseTableId("in.c-a.b")!));
    expect(storageTableRef(newStagingName(42n))).toMatch(/^storage\."s42_[a-f0-9]{8}"$/);
  });
});
