import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { relayNotifications } from "@/lib/jobs/kill-signal";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { type WorkerHandle, startWorker } from "@/worker/worker";

// Imports and exports are heavy (CSV parsing, whole-table swaps): past this many at once a process gains nothing.
const MAX_STORAGE_SLOTS = 32;

/** Starts a worker (component jobs and Storage jobs) on this process's database, as the environment says. */
export function startConfiguredWorker(concurrency: number): { worker: WorkerHandle; stop(graceMs?: number): Promise<void> } {
  const stopRelay = env.DATABASE_URL ? relayNotifications(env.DATABASE_URL, (m) => console.log(`[worker] ${m}`)) : null;
  const worker = startWorker({
    db: db(),
    concurrency,
    leaseMs: env.JOBDECK_LEASE_SECONDS * 1000,
    maxAttempts: env.JOBDECK_MAX_ATTEMPTS,
  });
  // Storage operations (imports, exports) run in their own slots: a component job often waits for them.
  const storage = new AbortController();
  const storageSlots = Math.min(MAX_STORAGE_SLOTS, Math.max(1, Math.ceil(concurrency / 2)));
  const storageStopped = startStorageWorker({ concurrency: storageSlots, signal: storage.signal });
  return {
    worker,
    async stop(graceMs) {
      storage.abort();
      await Promise.all([worker.stop({ graceMs }), storageStopped]);
      await stopRelay?.();
    },
  };
}
