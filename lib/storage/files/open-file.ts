import "server-only";
import type { Readable } from "node:stream";
import { ApiError } from "@/lib/errors";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { FileStoreUnavailableError } from "@/lib/storage/files/s3-file-store";

/** A read stream over a stored file's bytes; a file whose bytes are gone is "gone" (410). */
export async function openStoredFile(options: { storagePath: string; filesDir?: string; store?: FileStore }): Promise<{ stream: Readable; size: number }> {
  const found = await pickFileStore(options)
    .get(options.storagePath)
    .catch((error: unknown) => {
      throw error instanceof FileStoreUnavailableError ? new ApiError(503, "fileStoreUnavailable", error.message) : error;
    });
  if (!found) throw new ApiError(410, "fileGone", "The file's contents are no longer in Jobdeck's file store.");
  return found;
}
