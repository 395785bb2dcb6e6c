import "server-only";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";

/** Removes expired files, rows and bytes; the storage worker calls it now and then. */
export async function purgeExpiredFiles(options: { db: Db; now?: Date; filesDir?: string; limit?: number }): Promise<number> {
  const expired = await options.db.file.findMany({
    where: { expiresAt: { lte: options.now ?? new Date() } },
    select: { id: true, storagePath: true },
    take: options.limit ?? 500,
  });
  for (const file of expired) {
    await options.db.file.delete({ where: { id: file.id } });
    await rm(path.join(options.filesDir ?? env.filesDir, file.storagePath), { force: true });
  }
  return expired.length;
}
