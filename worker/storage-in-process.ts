import "server-only";
// The storage worker inside the web server process (until the shared worker process takes it
// over). JOBDECK_IN_PROCESS_WORKERS sets its slots; 0 turns it off.
import { env } from "@/lib/env";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";

const DEFAULT_SLOTS = 2;
const holder = globalThis as unknown as { __jobdeckStorageWorker?: AbortController };

export function startInProcessStorageWorker(): void {
  const concurrency = env.JOBDECK_IN_PROCESS_WORKERS ?? DEFAULT_SLOTS;
  if (concurrency === 0 || holder.__jobdeckStorageWorker) return;
  const controller = new AbortController();
  holder.__jobdeckStorageWorker = controller;
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => controller.abort());
  void startStorageWorker({ concurrency, signal: controller.signal });
}
