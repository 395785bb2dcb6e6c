// Test databases: PGlite in memory with the migrations applied, or the run's PostgreSQL database.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { inject } from "vitest";
import { type Db, type DbHandle, openDb, registerDriver } from "@/lib/db";
import { FINAL_STATUSES } from "@/lib/jobs/state";
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
  registerDriver(db, { kind: "pglite", pglite });
  return {
    db,
    target: { kind: "pglite" },
    async close() {
      await db.$disconnect();
      await pglite.close();
    },
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
  };
}

/**
 * The PostgreSQL run shares one database and its files take turns: a file starts with no work left
 * by earlier ones (jobs never run, deliveries to receivers now gone, enabled schedules), so the
 * worker processes it spawns work on its own jobs, not on a backlog of other files' work.
 */
export async function endLeftoverWork(db: Db): Promise<void> {
  const now = new Date();
  await db.job.updateMany({ where: { status: { notIn: [...FINAL_STATUSES] } }, data: { status: "cancelled", endTime: now } });
  await db.storageJob.updateMany({ where: { status: { in: ["waiting", "processing"] } }, data: { status: "error", endTime: now, errorMessage: "Left by an earlier test file." } });
  await db.notificationDelivery.updateMany({ where: { status: { in: ["pending", "sending"] } }, data: { status: "failed", lastError: "Left by an earlier test file." } });
  await db.schedule.updateMany({ where: { state: "enabled" }, data: { state: "disabled" } });
}
