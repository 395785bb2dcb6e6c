import { describe, expect, it } from "vitest";
import { staleTables } from "@/lib/db-statistics";

describe("which tables are due for ANALYZE", () => {
  it("takes a table never analyzed once it holds a page, and one whose size moved by more than a tenth", () => {
    const table = (name: string, analyzedPages: number, analyzedTuples: number, pages: number) => ({ name, analyzedPages, analyzedTuples, pages });
    expect(
      staleTables([
        table("never, empty", 0, -1, 0),
        table("never, one page", 0, -1, 1),
        table("analyzed empty, now a page", 0, 0, 1),
        table("analyzed empty, now two pages", 0, 0, 2),
        table("grew 10%", 100, 5_000, 110),
        table("grew 11%", 100, 5_000, 111),
        table("shrank 11%", 100, 5_000, 89),
        table("unchanged", 4_726, 76_120, 4_726),
      ]),
    ).toEqual(["never, one page", "analyzed empty, now two pages", "grew 11%", "shrank 11%"]);
  });
});
