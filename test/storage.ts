// Storage test helpers: a files folder per test file, CSV uploads, and running the storage worker
// until no job waits.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import type { FileStore } from "@/lib/storage/files/file-store";
import { storeFile } from "@/lib/storage/files/store-file";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";

export function makeFilesDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "jobdeck-files-test-"));
}

/** `files`: a local files folder, or a FileStore (the S3 tests). */
const where = (files: string | FileStore) => (typeof files === "string" ? { filesDir: files } : { store: files });

export async function uploadText(auth: AuthContext, files: string | FileStore, content: string | Buffer, name = "data.csv") {
  return storeFile({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, name, source: Readable.from([Buffer.from(content)]), ...where(files) });
}

/** Runs waiting Storage jobs one by one until none is left; returns how many ran. */
export async function drainStorageJobs(files: string | FileStore): Promise<number> {
  let ran = 0;
  while (await runNextStorageJob({ db: db(), workerId: "test-worker", ...where(files) })) ran++;
  return ran;
}
