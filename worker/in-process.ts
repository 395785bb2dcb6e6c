import "server-only";
import { env } from "@/lib/env";
import { startConfiguredWorker } from "@/worker/host";

const holder = globalThis as unknown as { __jobdeckWorker?: ReturnType<typeof startConfiguredWorker> };

/** Workers inside the web process: all of them on the embedded database, a few on PostgreSQL. */
export function startInProcessWorkers(): void {
  if (env.NEXT_PHASE === "phase-production-build" || env.inProcessWorkers === 0 || holder.__jobdeckWorker) return;
  holder.__jobdeckWorker = startConfiguredWorker(env.inProcessWorkers);
  const stop = () => void holder.__jobdeckWorker?.stop(5_000).finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
