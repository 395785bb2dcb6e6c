import "server-only";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";

/** A File row follows its bytes within moments; bytes older than this without one were orphaned. */
export const ORPHAN_GRACE_MS = 3_600_000;

/**
 * Removes bytes that no File row names: a worker killed between writing a file and recording it
 * leaves them behind. Only files last written before `olderThan` go, so a write in flight stays.
 * The storage worker calls it now and then, beside purgeExpiredFiles.
 */
export async function sweepOrphanFiles(options: { db: Db; filesDir?: string; projectId?: number; olderThan?: Date }): Promise<number> {
  const filesDir = options.filesDir ?? env.filesDir;
  const olderThan = (options.olderThan ?? new Date(Date.now() - ORPHAN_GRACE_MS)).getTime();
  const projects = options.projectId === undefined ? await listDirs(filesDir) : [String(options.projectId)];
  let removed = 0;
  for (const project of projects.filter((p) => /^\d+$/.test(p))) {
    for (const month of await listDirs(path.join(filesDir, project))) {
      const dir = path.join(filesDir, project, month);
      const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
      if (names.length === 0) continue;
      const storagePaths = names.map((name) => path.posix.join(project, month, name));
      const known = new Set(
        (await options.db.file.findMany({ where: { storagePath: { in: storagePaths } }, select: { storagePath: true } })).map((f) => f.storagePath),
      );
      for (const storagePath of storagePaths) {
        if (known.has(storagePath)) continue;
        const full = path.join(filesDir, storagePath);
        const info = await stat(full).catch(() => null);
        if (info && info.mtimeMs < olderThan) {
          await rm(full, { force: true });
          removed += 1;
        }
      }
    }
  }
  return removed;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
