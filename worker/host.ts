import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { relayNotifications } from "@/lib/jobs/kill-signal";
import { type WorkerHandle, startWorker } from "@/worker/worker";

/** Starts a worker on this process's database with the settings from the environment. */
export function startConfiguredWorker(concurrency: number): { worker: WorkerHandle; stop(graceMs?: number): Promise<void> } {
  const stopRelay = env.DATABASE_URL ? relayNotifications(env.DATABASE_URL, (m) => console.log(`[worker] ${m}`)) : null;
  const worker = startWorker({
    db: db(),
    concurrency,
    leaseMs: env.JOBDECK_LEASE_SECONDS * 1000,
    maxAttempts: env.JOBDECK_MAX_ATTEMPTS,
  });
  return {
    worker,
    async stop(graceMs) {
      await worker.stop({ graceMs });
      await stopRelay?.();
    },
  };
}
