// Shared by the e2e specs: the demo token the test server is started with.
export const E2E_DEMO_TOKEN = "e2e-demo-token-0123456789abcdef";
export const auth = { "X-StorageApi-Token": E2E_DEMO_TOKEN };

/** Debian's Chromium here: no sandbox as root, nothing that would reach the network on its own. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
