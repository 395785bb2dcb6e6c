// The fault suite runs on PostgreSQL only (concurrency, crashes and restarts cannot be shown on
// PGlite's single connection); it refuses to run, rather than pass, without one.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { table } from "@/bench/lib";
import { adminUrl, postgresAnswers } from "@/test/postgres";

export default async function setup(project: TestProject) {
  if (!(await postgresAnswers())) {
    throw new Error(`The fault suite needs PostgreSQL at ${adminUrl()} (set TEST_DATABASE_URL).`);
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "jobdeck-faults-")), "figures.jsonl");
  project.provide("faultFiguresFile", file);
  return () => {
    const rows = existsSync(file)
      ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, string | number>)
      : [];
    table(`Fault suite figures — ${os.cpus().length} cores, PostgreSQL, ${new Date().toISOString()}`, rows);
  };
}
