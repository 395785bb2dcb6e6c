import { Readable } from "node:stream";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { File } from "@/lib/generated/prisma/client";
import { contentDisposition } from "@/lib/storage/files/content-disposition";
import { openSlicedContents } from "@/lib/storage/files/file-contents";
import { pickFileStore } from "@/lib/storage/files/file-store";
import { getFile } from "@/lib/storage/files/get-file";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { FileStoreUnavailableError } from "@/lib/storage/files/s3-file-store";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";

const GZIP_TYPES = new Set(["application/gzip", "application/x-gzip"]);

/**
 * Streams the file's bytes as an attachment under its name. A sliced file is its slices in the
 * manifest's order, decompressed, as one file (what an import of it reads): its name loses a
 * `.gz`, and a gzip content type becomes a plain one.
 */
export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  const file = await getFile({ db: db(), projectId: auth.projectId, id: params.id });
  if (file.isSliced) return attachment(await slicesOf(file), undefined, plainName(file.name), GZIP_TYPES.has(file.contentType) ? "application/octet-stream" : file.contentType);
  const { stream, size } = await openStoredFile({ storagePath: file.storagePath });
  return attachment(stream, size, file.name, file.contentType);
});

function attachment(stream: Readable, size: number | undefined, name: string, contentType: string): Response {
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": contentType,
      ...(size !== undefined && { "Content-Length": String(size) }),
      "Content-Disposition": contentDisposition(name),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** The slices as one stream; a manifest or slice that cannot be read is the API's error, naming it. */
async function slicesOf(file: File): Promise<Readable> {
  return openSlicedContents({ db: db(), file, store: pickFileStore({}) }).catch((error: unknown) => {
    if (error instanceof FileStoreUnavailableError) throw new ApiError(503, "fileStoreUnavailable", error.message);
    if (!(error instanceof StorageJobError)) throw error;
    throw new ApiError(error.code === "fileGone" ? 410 : 409, error.code, error.message);
  });
}

const plainName = (name: string) => (/\.gz$/i.test(name) && name.length > 3 ? name.slice(0, -3) : name);

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
