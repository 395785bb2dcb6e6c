import { afterAll, beforeAll } from "vitest";
import { closeDb, db, useDb } from "@/lib/db";
import { endLeftoverWork, openTestDb } from "./db";

beforeAll(async () => {
  const handle = await openTestDb();
  useDb(handle);
  if (handle.target.kind === "postgresql") await endLeftoverWork(db());
});

afterAll(async () => {
  await closeDb();
});
