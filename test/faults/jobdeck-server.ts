// A real Jobdeck server for the fault suite: `npm start` on the run's PostgreSQL database, in its own
// process group (stopping it stops the Next.js server npm started), on a free port of 3500–3599,
// with a data folder of its own inside a temporary folder nothing else writes to.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type JobdeckServer = {
  base: string;
  port: number;
  /** The data folder (JOBDECK_DATA_DIR) and the temporary folder that holds it and nothing else. */
  dataDir: string;
  parentDir: string;
  demoToken: string;
  output(): string;
  stop(): Promise<void>;
};

/** `databaseUrl: null` runs the embedded default (PGlite in the data folder, workers inside the server). */
export async function startJobdeckServer(options: { databaseUrl: string | null; env?: Record<string, string>; ports?: [number, number] }): Promise<JobdeckServer> {
  const port = await freePort(...(options.ports ?? [3500, 3599]));
  const base = `http://127.0.0.1:${port}`;
  const parentDir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-faults-server-"));
  const dataDir = path.join(parentDir, "data");
  mkdirSync(dataDir);
  const demoToken = `faults-demo-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  let output = "";
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: options.databaseUrl ?? "",
    PORT: String(port),
    JOBDECK_DATA_DIR: dataDir,
    JOBDECK_DEMO_TOKEN: demoToken,
    JOBDECK_DEMO_ACTIVITY: "0",
    ...(options.databaseUrl !== null && { JOBDECK_IN_PROCESS_WORKERS: "1" }),
    JOBDECK_PUBLIC_URL: base,
    ...options.env,
  };
  if (options.databaseUrl === null) delete childEnv.DATABASE_URL;
  const child: ChildProcess = spawn("npm", ["start"], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
    }
  };
  // `npm start` builds the dashboard first when its sources changed: that can take minutes.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-5000)}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { base, port, dataDir, parentDir, demoToken, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`Jobdeck did not answer on ${base}:\n${output.slice(-5000)}`);
}

async function freePort(from: number, to: number): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}
