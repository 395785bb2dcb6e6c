// Storage test helpers: a files folder per test file, CSV uploads, and running the storage worker
// until no job waits.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { storeFile } from "@/lib/storage/files/store-file";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";

export function makeFilesDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "jobdeck-files-test-"));
}

export async function uploadText(auth: AuthContext, filesDir: string, content: string | Buffer, name = "data.csv") {
  return storeFile({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, name, source: Readable.from([Buffer.from(content)]), filesDir });
}

/** Runs waiting Storage jobs one by one until none is left; returns how many ran. */
export async function drainStorageJobs(filesDir: string): Promise<number> {
  let ran = 0;
  while (await runNextStorageJob({ db: db(), workerId: "test-worker", filesDir })) ran++;
  return ran;
}
