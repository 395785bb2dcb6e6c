import "server-only";
// Staging tables (`storage.s<jobId>_<hex>`) are dropped by the job that made them; a worker that
// died mid-import leaves its table behind. This drops those whose job is no longer processing.
import type { Db } from "@/lib/db";
import { STAGING_NAME_PATTERN } from "@/lib/storage/identifiers";
import { dropDataTable } from "@/lib/storage/table-sql";

export async function dropOrphanStagingTables(options: { db: Db }): Promise<string[]> {
  const tables = await options.db.$queryRaw<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'storage' AND tablename LIKE 's%'`;
  const staging = tables.map((t) => t.name).filter((name) => STAGING_NAME_PATTERN.test(name));
  if (staging.length === 0) return [];
  const jobIds = [...new Set(staging.map((name) => BigInt(name.slice(1, name.indexOf("_")))))];
  const running = await options.db.storageJob.findMany({ where: { id: { in: jobIds }, status: "processing" }, select: { id: true } });
  const alive = new Set(running.map((j) => `s${j.id}_`));
  const orphans = staging.filter((name) => !alive.has(name.slice(0, name.indexOf("_") + 1)));
  for (const name of orphans) await dropDataTable(options.db, name);
  return orphans;
}
