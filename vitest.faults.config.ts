// `npm run test:faults`: the slow reliability and security tests (test/faults/*.fault.test.ts), on
// PostgreSQL: worker crashes, database restarts, races run thousands of times, hostile input.
import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "test/server-only.ts") };

export default defineConfig({
  resolve: { alias },
  test: {
    name: "faults",
    include: ["test/faults/**/*.fault.test.ts"],
    setupFiles: ["test/setup-env.ts", "test/setup-db.ts"],
    globalSetup: ["test/faults/global-setup.ts", "test/global-setup-postgres.ts"],
    // They start worker processes, servers and a PostgreSQL cluster of their own: one file at a time.
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
