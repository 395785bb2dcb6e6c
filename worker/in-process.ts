import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { startDemoActivity } from "@/worker/demo-activity";
import { startConfiguredWorker } from "@/worker/host";

const holder = globalThis as unknown as { __jobdeckWorker?: ReturnType<typeof startConfiguredWorker> };

/** Workers inside the web process: all of them on the embedded database, a few on PostgreSQL. */
export function startInProcessWorkers(): void {
  if (env.NEXT_PHASE === "phase-production-build" || env.inProcessWorkers === 0 || holder.__jobdeckWorker) return;
  holder.__jobdeckWorker = startConfiguredWorker(env.inProcessWorkers);
  const stopDemo = env.JOBDECK_DEMO_ACTIVITY === "1" ? startDemoActivity(db()) : () => undefined;
  const stop = () => {
    stopDemo();
    void holder.__jobdeckWorker?.stop(5_000).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
