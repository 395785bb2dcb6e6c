// A storage worker as its own process: `node --conditions=react-server --import tsx worker/storage-worker.ts`.
// Runs WORKER_CONCURRENCY slots against the configured database (PostgreSQL, to run beside the web
// server; a PGlite folder can be opened by one process only) and stops cleanly on SIGTERM/SIGINT.
import { closeDb } from "@/lib/db";
import { env } from "@/lib/env";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";

const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => controller.abort());
await startStorageWorker({ concurrency: env.WORKER_CONCURRENCY, signal: controller.signal });
await closeDb();
