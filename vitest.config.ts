import path from "node:path";
import { defineConfig } from "vitest/config";
import { adminUrl, postgresAnswers } from "./test/postgres.ts";

const alias = { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "test/server-only.ts") };

export default defineConfig(async () => {
  const withPostgres = await postgresAnswers();
  if (!withPostgres) {
    console.warn(`PostgreSQL does not answer at ${adminUrl()}: integration tests run on PGlite only. Set TEST_DATABASE_URL to include it.`);
  }
  // `*.pg.int.test.ts` need several processes on one database: PostgreSQL only.
  const integration = (name: string, extra: object, only: "pglite" | "postgres") => ({
    resolve: { alias },
    test: {
      name,
      include: ["**/*.int.test.ts"],
      exclude: ["node_modules/**", ".next/**", ...(only === "pglite" ? ["**/*.pg.int.test.ts"] : [])],
      setupFiles: ["test/setup-env.ts", "test/setup-db.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...extra,
    },
  });
  return {
    test: {
      projects: [
        { resolve: { alias }, test: { name: "unit", include: ["**/*.test.ts"], exclude: ["node_modules/**", ".next/**", "**/*.int.test.ts", "prisma/migrate.test.ts", "test/faults/**"] } },
        // Prisma Migrate itself, through the CLI, on a fresh PGlite folder and a fresh PostgreSQL database.
        { resolve: { alias }, test: { name: "migrate", include: ["prisma/migrate.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 } },
        integration("pglite", {}, "pglite"),
        ...(withPostgres ? [integration("postgres", {
              globalSetup: ["test/global-setup-postgres.ts"],
              // One database for the run, and workers claim any project's jobs: files take turns.
              fileParallelism: false,
            }, "postgres")] : []),
      ],
    },
  };
});
