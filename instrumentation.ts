// Runs once when the Next.js server starts: the in-process workers of `npm start`, and on the
// embedded database its statistics upkeep (worker/in-process.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startInProcessWorkers } = await import("@/worker/in-process");
  startInProcessWorkers();
}
