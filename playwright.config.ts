import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { CHROMIUM_ARGS, E2E_DEMO_TOKEN } from "./e2e/fixtures";

// Debian's Chromium, never a downloaded browser.
function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      "No Chromium found for the browser tests. Install it with `sudo apt-get install -y chromium` " +
        "(Debian/Ubuntu) or point CHROMIUM_PATH at a Chromium or Chrome binary.",
    );
  }
  return found;
}

// The API specs also run against a server on PostgreSQL when one answers (as the Vitest suite does).
function postgresAnswers(): boolean {
  const probe = spawnSync(process.execPath, ["--import", "tsx", "-e", "import('./test/postgres.ts').then(async (m) => process.exit((await m.postgresAnswers()) ? 0 : 1))"], { timeout: 10_000 });
  return probe.status === 0;
}

// The main process picks one fresh data folder; workers inherit it through the environment.
process.env.JOBDECK_E2E_RUN ??= `${Date.now()}-${process.pid}`;
const dataDir = path.join(os.tmpdir(), `jobdeck-e2e-${process.env.JOBDECK_E2E_RUN}`);
const port = Number(process.env.JOBDECK_E2E_PORT ?? 3107);
const pgPort = port + 1;
process.env.JOBDECK_E2E_POSTGRES ??= postgresAnswers() ? "1" : "0";
const withPostgres = process.env.JOBDECK_E2E_POSTGRES === "1";
if (!withPostgres && !process.env.JOBDECK_E2E_WARNED) {
  process.env.JOBDECK_E2E_WARNED = "1";
  console.warn("PostgreSQL does not answer: the API e2e specs run on the embedded database only.");
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    { name: "pglite", use: { ...devices["Desktop Chrome"] } },
    ...(withPostgres
      ? [{ name: "postgres-api", testMatch: "api/**", use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${pgPort}` } }]
      : []),
  ],
  // Started one after the other: the second finds the build the first made.
  webServer: [{
    command: "npm start",
    url: `http://localhost:${port}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      JOBDECK_DATA_DIR: dataDir,
      JOBDECK_DEMO_TOKEN: E2E_DEMO_TOKEN,
      // Tests make the jobs they look at; a trickle of demo jobs would only add noise.
      JOBDECK_DEMO_ACTIVITY: "0",
      // Room for the seeded jobs and the tests' own at once.
      JOBDECK_IN_PROCESS_WORKERS: "8",
      // The notification specs' webhook receiver listens on this machine.
      JOBDECK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
      DATABASE_URL: "",
    },
  },
  ...(withPostgres
    ? [{
        command: "node --import tsx scripts/e2e-postgres-server.ts",
        url: `http://localhost:${pgPort}/api/health`,
        timeout: 600_000,
        reuseExistingServer: false,
        stdout: "pipe" as const,
        stderr: "pipe" as const,
        env: { PORT: String(pgPort), JOBDECK_DATA_DIR: `${dataDir}-pg`, JOBDECK_DEMO_TOKEN: E2E_DEMO_TOKEN, JOBDECK_DEMO_ACTIVITY: "0", JOBDECK_IN_PROCESS_WORKERS: "8" },
      }]
    : []),
  ],
});
