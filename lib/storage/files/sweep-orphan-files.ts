import "server-only";
import type { Db } from "@/lib/db";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";

/** A File row follows its bytes within moments; bytes older than this without one were orphaned. */
export const ORPHAN_GRACE_MS = 3_600_000;

// Only keys Jobdeck generates (`<project>/<yyyy-mm>/<uuid>`); a sliced file's manifest and slices
// carry suffixes and go with their File.
const KEY = /^\d+\/\d{4}-\d{2}\/[0-9a-f-]{36}$/;

/**
 * Removes bytes that no File row names: a worker killed between writing a file and recording it
 * leaves them behind. Only files last written before `olderThan` go, so a write in flight stays.
 * The storage worker calls it now and then, beside purgeExpiredFiles.
 */
export async function sweepOrphanFiles(options: { db: Db; filesDir?: string; store?: FileStore; projectId?: number; olderThan?: Date }): Promise<number> {
  const store = pickFileStore(options);
  const olderThan = (options.olderThan ?? new Date(Date.now() - ORPHAN_GRACE_MS)).getTime();
  let removed = 0;
  let batch: string[] = [];
  const sweep = async () => {
    const known = new Set((await options.db.file.findMany({ where: { storagePath: { in: batch } }, select: { storagePath: true } })).map((f) => f.storagePath));
    for (const key of batch) {
      if (known.has(key)) continue;
      await store.delete(key);
      removed += 1;
    }
    batch = [];
  };
  for await (const object of store.list(options.projectId === undefined ? "" : `${options.projectId}/`)) {
    if (!KEY.test(object.key) || object.modified.getTime() >= olderThan) continue;
    batch.push(object.key);
    if (batch.length >= 500) await sweep();
  }
  if (batch.length > 0) await sweep();
  return removed;
}
