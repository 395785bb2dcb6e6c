// A fresh, migrated database for a benchmark run: a PGlite folder under `workDir`, or a new
// PostgreSQL database (dropped by `cleanup`).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type DbHandle, openDb } from "@/lib/db";
import { migrationSql } from "@/test/db";
import { adminUrl, createDatabase } from "@/test/postgres";

export async function openBenchDb(database: "pglite" | "postgresql", workDir: string, poolSize = 4): Promise<{ handle: DbHandle; cleanup: () => Promise<void> }> {
  if (database === "pglite") {
    const dir = path.join(workDir, "pglite");
    mkdirSync(workDir, { recursive: true });
    const pglite = new PGlite(dir);
    for (const sql of migrationSql()) await pglite.exec(sql);
    await pglite.close();
    return { handle: openDb({ kind: "pglite", dir }), cleanup: async () => undefined };
  }
  const created = await createDatabase(adminUrl(), "jobdeck_bench_");
  const client = new pg.Client({ connectionString: created.url });
  await client.connect();
  for (const sql of migrationSql()) await client.query(sql);
  await client.end();
  return { handle: openDb({ kind: "postgresql", url: created.url, poolSize }), cleanup: created.drop };
}
