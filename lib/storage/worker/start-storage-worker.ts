import "server-only";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { db as defaultDb, type Db } from "@/lib/db";
import { purgeExpiredFiles } from "@/lib/storage/files/purge-expired-files";
import { sweepOrphanFiles } from "@/lib/storage/files/sweep-orphan-files";
import { dropOrphanStagingTables } from "@/lib/storage/worker/drop-orphan-staging";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";

export const IDLE_POLL_MS = 200;
const ERROR_BACKOFF_MS = 2_000;
// Housekeeping (expired files, staging tables of dead workers) once a minute, by the first slot.
const PURGE_EVERY_MS = 60_000;

/**
 * Runs `concurrency` loops that each claim and run Storage jobs one at a time, polling every
 * IDLE_POLL_MS when there is nothing to do. Resolves once every loop has stopped after `signal`
 * aborts (a running operation finishes first: imports are atomic, so stopping mid-way is safe only
 * between jobs).
 */
export async function startStorageWorker(options: { concurrency: number; signal: AbortSignal; db?: Db; filesDir?: string }): Promise<void> {
  const db = options.db ?? defaultDb();
  const base = `${hostname()}:${process.pid}:storage`;
  console.log(`[storage-worker] ${base} started with ${options.concurrency} slot(s)`);
  let lastPurge = 0;
  const loop = async (slot: number) => {
    const workerId = `${base}:${slot}`;
    while (!options.signal.aborted) {
      try {
        if (slot === 0 && Date.now() - lastPurge > PURGE_EVERY_MS) {
          lastPurge = Date.now();
          await purgeExpiredFiles({ db, filesDir: options.filesDir });
          await sweepOrphanFiles({ db, filesDir: options.filesDir });
          await dropOrphanStagingTables({ db });
        }
        const ran = await runNextStorageJob({ db, workerId, filesDir: options.filesDir });
        if (!ran) await sleep(IDLE_POLL_MS, undefined, { signal: options.signal }).catch(() => undefined);
      } catch (error) {
        console.error(`[storage-worker] ${workerId}: could not claim or report a job`, error);
        await sleep(ERROR_BACKOFF_MS, undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, slot) => loop(slot)));
  console.log(`[storage-worker] ${base} stopped`);
}
