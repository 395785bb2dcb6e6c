import "server-only";
import type { Db } from "@/lib/db";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { removeStoredBytes } from "@/lib/storage/files/delete-file";

/** Removes expired files, rows and bytes; the storage worker calls it now and then. */
export async function purgeExpiredFiles(options: { db: Db; now?: Date; filesDir?: string; store?: FileStore; limit?: number }): Promise<number> {
  const store = pickFileStore(options);
  const expired = await options.db.file.findMany({
    where: { expiresAt: { lte: options.now ?? new Date() } },
    select: { id: true, storagePath: true, isSliced: true },
    take: options.limit ?? 500,
  });
  for (const file of expired) {
    await options.db.file.delete({ where: { id: file.id } });
    await removeStoredBytes(store, file);
  }
  return expired.length;
}
