// Real worker processes (`npm run worker`) against a test's PostgreSQL database.
import { type ChildProcess, spawn } from "node:child_process";

export type WorkerProcess = { child: ChildProcess; exited: Promise<number | null>; output: () => string };

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "worker/main.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: "4", JOBDECK_LEASE_SECONDS: "4", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

export async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
}
