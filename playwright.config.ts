import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

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

// The main process picks one fresh data folder; workers inherit it through the environment.
process.env.JOBDECK_E2E_RUN ??= `${Date.now()}-${process.pid}`;
const dataDir = path.join(os.tmpdir(), `jobdeck-e2e-${process.env.JOBDECK_E2E_RUN}`);
const port = Number(process.env.JOBDECK_E2E_PORT ?? 3107);
import { E2E_DEMO_TOKEN } from "./e2e/fixtures";

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
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
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
      DATABASE_URL: "",
    },
  },
});
