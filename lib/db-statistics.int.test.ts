import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { analyzeStaleTables, startStatisticsUpkeep } from "@/lib/db-statistics";
import { waitFor } from "@/test/wait";

/** The planner's row estimate for `sql` (EXPLAIN's top node). */
async function plannedRows(sql: string): Promise<number> {
  const [row] = await db().$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[]>(`EXPLAIN (FORMAT JSON) ${sql}`);
  return row!["QUERY PLAN"][0].Plan["Plan Rows"];
}

describe("planner statistics of the embedded database", () => {
  it("analyzes a table that never was, and again only once its size has moved by more than a tenth", async () => {
    const table = `statistics_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    await db().$executeRawUnsafe(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, kind int NOT NULL)`);
    try {
      const insert = (from: number, to: number) => db().$executeRawUnsafe(`INSERT INTO "${table}" SELECT g, g % 4 FROM generate_series(${from}, ${to}) g`);
      await insert(1, 20_000);
      const oneKind = `SELECT id FROM "${table}" WHERE kind = 1`;
      // Without statistics the planner takes 0.5% of the rows for an equality: ≈ 100 of 5,000.
      expect(await plannedRows(oneKind)).toBeLessThan(1_000);

      expect(await analyzeStaleTables(db())).toContain(table);
      const analyzed = await plannedRows(oneKind);
      expect(analyzed).toBeGreaterThan(4_000);
      expect(analyzed).toBeLessThan(6_000);
      expect(await analyzeStaleTables(db())).not.toContain(table);

      await insert(20_001, 20_500); // 2.5% more: not yet
      expect(await analyzeStaleTables(db())).not.toContain(table);
      await insert(20_501, 23_000); // 15% more in all
      expect(await analyzeStaleTables(db())).toContain(table);
      expect(await analyzeStaleTables(db())).not.toContain(table);
    } finally {
      await db().$executeRawUnsafe(`DROP TABLE "${table}"`);
    }
  });

  it("keeps them up on its own: a round soon after start and one every interval, each failure logged and the next round tried", async () => {
    const table = `statistics_upkeep_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    await db().$executeRawUnsafe(`CREATE TABLE "${table}" (id bigint PRIMARY KEY)`);
    const log: string[] = [];
    let failing = true;
    const flaky = new Proxy(db(), {
      get(target, key, receiver) {
        if (key === "$queryRaw" && failing) {
          failing = false;
          return () => Promise.reject(new Error("the database went away"));
        }
        return Reflect.get(target, key, receiver);
      },
    });
    const stop = startStatisticsUpkeep({ db: flaky, intervalMs: 50, log: (line) => log.push(line) });
    try {
      await waitFor("the failed round in the log", async () => log.some((line) => line.includes("could not analyze") && line.includes("the database went away")));
      await db().$executeRawUnsafe(`INSERT INTO "${table}" SELECT generate_series(1, 1000)`);
      await waitFor("a later round to analyze the new table", async () => log.some((line) => line.startsWith("[db] analyzed") && line.includes(table)));
    } finally {
      stop();
      await db().$executeRawUnsafe(`DROP TABLE "${table}"`);
    }
  });
});
