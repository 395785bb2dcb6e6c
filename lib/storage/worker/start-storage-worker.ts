import "server-only";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { db as defaultDb, type Db } from "@/lib/db";
import { onStorageWork } from "@/lib/jobs/kill-signal";
import type { FileStore } from "@/lib/storage/files/file-store";
import { purgeExpiredFiles } from "@/lib/storage/files/purge-expired-files";
import { sweepOrphanFiles } from "@/lib/storage/files/sweep-orphan-files";
import { dropOrphanStagingTables } from "@/lib/storage/worker/drop-orphan-staging";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";

/** How often one idle slot looks for work nobody announced: jobs whose worker died (lease run out). */
export const IDLE_POLL_MS = 200;
const ERROR_BACKOFF_MS = 2_000;
// Housekeeping (expired files, staging tables of dead workers) once a minute, by the first slot.
const PURGE_EVERY_MS = 60_000;

/**
 * Runs `concurrency` slots that each claim and run Storage jobs one at a time. Idle slots sleep
 * until woken: a queued Storage job (publishStorageWork, in-process or by NOTIFY) wakes one, a slot
 * that claimed a job wakes the next (more may wait), and every `pollMs` one idle slot looks anyway.
 * So an idle process asks the database 1000 / pollMs times a second, not that times its slots.
 * Resolves once every slot has stopped after `signal` aborts (a running operation finishes first:
 * imports are atomic, so stopping mid-way is safe only between jobs).
 */
export async function startStorageWorker(options: {
  concurrency: number;
  signal: AbortSignal;
  db?: Db;
  filesDir?: string;
  store?: FileStore;
  pollMs?: number;
  /** Told how many slots sleep whenever one more goes to sleep (tests wait for an idle worker). */
  onIdle?: (sleeping: number) => void;
}): Promise<void> {
  const db = options.db ?? defaultDb();
  const { signal } = options;
  const base = `${hostname()}:${process.pid}:storage`;
  console.log(`[storage-worker] ${base} started with ${options.concurrency} slot(s)`);
  const idle: (() => void)[] = [];
  // A wake with no slot asleep is kept for the next slot about to sleep (it may have just missed the job).
  let pendingWake = false;
  const wakeOne = () => {
    const wake = idle.shift();
    if (wake) wake();
    else pendingWake = true;
  };
  const sleepUntilWoken = () =>
    new Promise<void>((resolve) => {
      if (pendingWake || signal.aborted) {
        pendingWake = false;
        resolve();
      } else {
        idle.push(resolve);
        options.onIdle?.(idle.length);
      }
    });
  const offWork = onStorageWork(wakeOne);
  const poll = setInterval(wakeOne, options.pollMs ?? IDLE_POLL_MS);
  const wakeAll = () => idle.splice(0).forEach((wake) => wake());
  signal.addEventListener("abort", wakeAll, { once: true });

  let lastPurge = 0;
  const loop = async (slot: number) => {
    const workerId = `${base}:${slot}`;
    while (!signal.aborted) {
      try {
        if (slot === 0 && Date.now() - lastPurge > PURGE_EVERY_MS) {
          lastPurge = Date.now();
          await purgeExpiredFiles({ db, filesDir: options.filesDir, store: options.store });
          await sweepOrphanFiles({ db, filesDir: options.filesDir, store: options.store });
          await dropOrphanStagingTables({ db });
        }
        const ran = await runNextStorageJob({ db, workerId, filesDir: options.filesDir, store: options.store, onClaimed: wakeOne });
        if (!ran) await sleepUntilWoken();
      } catch (error) {
        console.error(`[storage-worker] ${workerId}: could not claim or report a job`, error);
        await sleep(ERROR_BACKOFF_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, slot) => loop(slot)));
  } finally {
    clearInterval(poll);
    offWork();
    signal.removeEventListener("abort", wakeAll);
  }
  console.log(`[storage-worker] ${base} stopped`);
}
