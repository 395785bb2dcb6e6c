import "server-only";
import type { Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { File, Prisma } from "@/lib/generated/prisma/client";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { FileStoreUnavailableError } from "@/lib/storage/files/s3-file-store";
import { MAX_FILE_BYTES } from "@/lib/storage/files/store-file";

/** Files a project can see: its own, and not expired. */
export function liveFilesWhere(projectId: number, now: Date): Prisma.FileWhereInput {
  return { projectId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

export function parseFileId(raw: string): bigint | null {
  return /^\d{1,18}$/.test(raw) ? BigInt(raw) : null;
}

/**
 * One live file of the project with its creator token; expired or foreign files are "not found".
 * A prepared file (its bytes uploaded straight to the store) becomes "uploaded" here, the first
 * time its bytes are found with the prepared size. `confirmUpload`: "require" (the default: its
 * bytes are about to be read, so they must be there), "try" (a detail: a prepared file is shown
 * as prepared), or false (a delete).
 */
export async function getFile(options: { db: Db; projectId: number; id: string; now?: Date; confirmUpload?: "require" | "try" | false; filesDir?: string; store?: FileStore }) {
  const id = parseFileId(options.id);
  const file =
    id === null
      ? null
      : await options.db.file.findFirst({
          where: { id, ...liveFilesWhere(options.projectId, options.now ?? new Date()) },
          include: { token: { select: { id: true, description: true } } },
        });
  if (!file) throw notFound(`File ${options.id.slice(0, 40)}`);
  const mode = options.confirmUpload ?? "require";
  if (file.uploadState === "uploaded" || mode === false) return file;
  const confirmed = await confirmUpload(options.db, pickFileStore(options), file);
  if (confirmed) return { ...file, ...confirmed };
  if (mode === "try") return file;
  throw new ApiError(409, "fileNotUploaded", `File ${file.id} was prepared, but its contents have not been uploaded yet.`);
}

/**
 * Marks a prepared file uploaded when its bytes are in the store with the prepared size. Bytes of
 * another size are removed (so that nothing half-written is ever read) and refused.
 */
async function confirmUpload(db: Db, store: FileStore, file: File): Promise<Pick<File, "uploadState" | "sizeBytes"> | null> {
  // A sliced file is its manifest.
  const key = file.isSliced ? `${file.storagePath}manifest` : file.storagePath;
  const found = await store.stat(key).catch((error: unknown) => {
    throw error instanceof FileStoreUnavailableError ? new ApiError(503, "fileStoreUnavailable", error.message) : error;
  });
  if (!found) return null;
  const expected = file.preparedSizeBytes;
  if (!file.isSliced && expected !== null && BigInt(found.size) !== expected) {
    await store.delete(key);
    throw new ApiError(
      422,
      "fileSizeMismatch",
      `The contents uploaded for file ${file.id} have ${found.size} bytes where ${expected} were prepared; they were removed. Upload exactly ${expected} bytes, or prepare the file again.`,
    );
  }
  if (!file.isSliced && found.size > MAX_FILE_BYTES) {
    await store.delete(key);
    throw new ApiError(413, "payloadTooLarge", `The contents uploaded for file ${file.id} have ${found.size} bytes; files may be at most ${MAX_FILE_BYTES} bytes. They were removed.`);
  }
  // A sliced file's size is what prepare said (its manifest is not its contents).
  const sizeBytes = file.isSliced ? (expected ?? 0n) : BigInt(found.size);
  await db.file.updateMany({ where: { id: file.id, uploadState: "prepared" }, data: { uploadState: "uploaded", sizeBytes } });
  return { uploadState: "uploaded", sizeBytes };
}
