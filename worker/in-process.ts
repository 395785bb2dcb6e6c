import "server-only";
import { listenOnEmbedded } from "@/lib/api/poll-cache";
import { db, dbHandle } from "@/lib/db";
import { startStatisticsUpkeep } from "@/lib/db-statistics";
import { env } from "@/lib/env";
import { startDemoActivity } from "@/worker/demo-activity";
import { startConfiguredWorker } from "@/worker/host";

const holder = globalThis as unknown as {
  __jobdeckWorker?: ReturnType<typeof startConfiguredWorker>;
  __jobdeckStatistics?: () => void;
  __jobdeckChanges?: () => Promise<void>;
};

/**
 * Workers inside the web process: all of them on the embedded database, a few on PostgreSQL. Two
 * more things of the embedded database start here, in the only process that opens it: its planner
 * statistics (PGlite has no autovacuum), and the poll cache's ear for its change notifications.
 */
export function startInProcessWorkers(): void {
  if (env.NEXT_PHASE === "phase-production-build") return;
  if (dbHandle().target.kind === "pglite") {
    holder.__jobdeckStatistics ??= startStatisticsUpkeep({ db: db() });
    holder.__jobdeckChanges ??= listenOnEmbedded(dbHandle());
  }
  if (env.inProcessWorkers === 0 || holder.__jobdeckWorker) return;
  holder.__jobdeckWorker = startConfiguredWorker(env.inProcessWorkers);
  const stopDemo = env.JOBDECK_DEMO_ACTIVITY === "1" ? startDemoActivity(db()) : () => undefined;
  const stop = () => {
    stopDemo();
    void holder.__jobdeckWorker?.stop(5_000).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
