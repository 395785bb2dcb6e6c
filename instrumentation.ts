// Runs once when the Next.js server starts: the in-process workers of `npm start`.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startInProcessWorkers } = await import("@/worker/in-process");
  startInProcessWorkers();
}
