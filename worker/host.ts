import "server-only";
import { db, dbHandle } from "@/lib/db";
import { env } from "@/lib/env";
import { relayNotifications } from "@/lib/jobs/kill-signal";
import { outboundPolicy } from "@/lib/net/outbound";
import { startNotificationSender } from "@/lib/notifications/sender";
import { startScheduler } from "@/lib/schedules/start-scheduler";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { type WorkerHandle, startWorker } from "@/worker/worker";

// Imports and exports are heavy (CSV parsing, whole-table swaps): past this many at once a process gains nothing.
const MAX_STORAGE_SLOTS = 32;

/** Starts a worker (component jobs and Storage jobs) on this process's database, as the environment says. */
export function startConfiguredWorker(concurrency: number): { worker: WorkerHandle; stop(graceMs?: number): Promise<void> } {
  const stopRelay = relayNotifications(dbHandle(), (m) => console.log(`[worker] ${m}`));
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
  // Notifications go out apart from the job slots: a receiver that hangs holds only a sender slot, until its timeout.
  const sender = startNotificationSender({
    db: db(),
    publicUrl: env.publicUrl,
    policy: outboundPolicy("webhooks"),
    smtp: { url: env.JOBDECK_SMTP_URL, from: env.JOBDECK_SMTP_FROM },
    timeoutMs: env.JOBDECK_NOTIFY_TIMEOUT_MS,
    retryForMs: env.JOBDECK_NOTIFY_RETRY_SECONDS * 1000,
  });
  // Schedules' due slots (lib/schedules): every host may run the loop, each slot still makes one job.
  const stopScheduler = env.JOBDECK_SCHEDULER_TICK_MS > 0 ? startScheduler({ db: db(), tickMs: env.JOBDECK_SCHEDULER_TICK_MS }) : null;
  return {
    worker,
    async stop(graceMs) {
      storage.abort();
      await Promise.all([worker.stop({ graceMs }), storageStopped, sender.stop(), stopScheduler?.()]);
      await stopRelay();
    },
  };
}
