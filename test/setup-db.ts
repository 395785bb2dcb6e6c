import { afterAll, beforeAll } from "vitest";
import { closeDb, useDb } from "@/lib/db";
import { openTestDb } from "./db";

beforeAll(async () => {
  useDb(await openTestDb());
});

afterAll(async () => {
  await closeDb();
});
