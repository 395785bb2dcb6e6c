// Shared by the e2e specs: the demo token the test server is started with.
export const E2E_DEMO_TOKEN = "e2e-demo-token-0123456789abcdef";
export const auth = { "X-StorageApi-Token": E2E_DEMO_TOKEN };
