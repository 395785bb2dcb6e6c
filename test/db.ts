// Test databases: PGlite in memory with the migrations applied, or the run's PostgreSQL database.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { inject } from "vitest";
import { type DbHandle, openDb } from "@/lib/db";
import { PrismaClient } from "@/lib/generated/prisma/client";

export function migrationSql(): string[] {
  const dir = path.resolve("prisma/migrations");
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

export async function openTestDb(): Promise<DbHandle> {
  const url = inject("databaseUrl");
  if (url) return openDb({ kind: "postgresql", url, poolSize: 5 });
  const pglite = new PGlite();
  for (const sql of migrationSql()) await pglite.exec(sql);
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    db,
    target: { kind: "pglite" },
    async close() {
      await db.$disconnect();
      await pglite.close();
    },
  };
}
