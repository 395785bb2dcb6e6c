import "server-only";
import { db, dbHandle } from "@/lib/db";
import { startStatisticsUpkeep } from "@/lib/db-statistics";
import { env } from "@/lib/env";
import { startDemoActivity } from "@/worker/demo-activity";
import { startConfiguredWorker } from "@/worker/host";

const holder = globalThis as unknown as { __jobdeckWorker?: ReturnType<typeof startConfiguredWorker>; __jobdeckStatistics?: () => void };

/**
 * Workers inside the web process: all of them on the embedded database, a few on PostgreSQL. The
 * embedded database's planner statistics are kept here too: this process is the only one that
 * opens it, and PGlite has no autovacuum of its own.
 */
export function startInProcessWorkers(): void {
  if (env.NEXT_PHASE === "phase-production-build") return;
  if (dbHandle().target.kind === "pglite") holder.__jobdeckStatistics ??= startStatisticsUpkeep({ db: db() });
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
