// One fresh PostgreSQL database per test run, migrated with the real `prisma migrate deploy`.
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { createDatabase } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await createDatabase();
  execFileSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: database.url },
    stdio: ["ignore", "ignore", "inherit"],
  });
  project.provide("databaseUrl", database.url);
  return async () => database.drop();
}
