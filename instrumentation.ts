// Next.js calls register() once per server process: start the storage worker beside the web server.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startInProcessStorageWorker } = await import("@/worker/storage-in-process");
  startInProcessStorageWorker();
}
