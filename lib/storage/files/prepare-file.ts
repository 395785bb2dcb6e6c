import "server-only";
// Keboola's upload flow: POST /v2/storage/files/prepare records a File whose bytes are still to come,
// and answers where to put them. On S3 the client uploads straight to the bucket with the keys in
// `uploadParams`; on the local backend it PUTs them to Jobdeck's own short-lived upload URL.
// The File counts as uploaded once its bytes are seen with the prepared size (get-file.ts).
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { NextRequest } from "next/server";
import type { ZodType } from "zod";
import { readJson, zodToApiError } from "@/lib/api/handler";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, badRequest } from "@/lib/errors";
import type { PreparedFileJson, PrepareFileInput } from "@/lib/schemas/storage";
import { defaultFileStore, FileSizeMismatchError, type FileStore, isDirectAccess } from "@/lib/storage/files/file-store";
import { toFileJson } from "@/lib/storage/files/file-views";
import { FileWriteError } from "@/lib/storage/files/fs-errors";
import { parseFileId } from "@/lib/storage/files/get-file";
import { FileTooLargeError } from "@/lib/storage/files/meter";
import { S3FileStore } from "@/lib/storage/files/s3-file-store";
import { manifestKey } from "@/lib/storage/files/sliced-file";
import { contentTypeFor, DEFAULT_FILE_TTL_MS, MAX_FILE_BYTES, newStoragePath } from "@/lib/storage/files/store-file";
import { UPLOAD_URL_SECONDS, uploadUrl, verifyUploadUrl } from "@/lib/storage/files/upload-credential";

const MAX_FORM_BYTES = 100_000;

/** The prepare body: a form as kbcstorage sends it (`tags[]=a&tags[]=b`), or JSON. */
export async function readFormOrJson<S extends ZodType>(request: NextRequest, schema: S) {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) return readJson(request, schema);
  if (Number(request.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) throw new ApiError(413, "payloadTooLarge", `The form is larger than ${MAX_FORM_BYTES} bytes.`);
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) throw new ApiError(413, "payloadTooLarge", `The form is larger than ${MAX_FORM_BYTES} bytes.`);
  const value: Record<string, string | string[]> = {};
  for (const [rawKey, item] of new URLSearchParams(text)) {
    const key = rawKey.replace(/\[\d*\]$/, "");
    const isArray = key !== rawKey;
    const existing = value[key];
    if (existing === undefined) value[key] = isArray ? [item] : item;
    else value[key] = [...(Array.isArray(existing) ? existing : [existing]), item];
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToApiError(parsed.error);
  return parsed.data as ReturnType<S["parse"]>;
}

export async function prepareFile(options: { db: Db; auth: AuthContext; input: PrepareFileInput; origin: string; runId: string | null; store?: FileStore; now?: Date }): Promise<PreparedFileJson> {
  const { input, auth } = options;
  const store = options.store ?? defaultFileStore();
  const now = options.now ?? new Date();
  if (input.sizeBytes !== undefined && input.sizeBytes > MAX_FILE_BYTES) {
    throw new ApiError(413, "payloadTooLarge", `sizeBytes: the file would be ${input.sizeBytes} bytes; files may be at most ${MAX_FILE_BYTES} bytes (JOBDECK_MAX_FILE_BYTES).`, "sizeBytes");
  }
  const storagePath = newStoragePath(auth.projectId, now, randomUUID()) + (input.isSliced ? "/" : "");
  const file = await options.db.file.create({
    data: {
      projectId: auth.projectId,
      tokenId: auth.tokenId,
      name: input.name,
      sizeBytes: BigInt(input.sizeBytes ?? 0),
      preparedSizeBytes: input.sizeBytes === undefined ? null : BigInt(input.sizeBytes),
      contentType: contentTypeFor(input.name),
      tags: [...new Set(input.tags ?? [])],
      runId: options.runId,
      storagePath,
      uploadState: "prepared",
      isSliced: input.isSliced ?? false,
      created: now,
      expiresAt: input.isPermanent ? null : new Date(now.getTime() + (input.expiresIn ? input.expiresIn * 1000 : DEFAULT_FILE_TTL_MS)),
    },
  });
  const json = toFileJson({ ...file, token: { id: auth.tokenId, description: auth.tokenDescription } }, options.origin, store);
  if (isDirectAccess(store)) {
    const put =
      store instanceof S3FileStore
        ? await getSignedUrl(store.client, new PutObjectCommand({ Bucket: store.bucket, Key: storagePath }), { expiresIn: UPLOAD_URL_SECONDS })
        : "";
    return {
      ...json,
      uploadParams: {
        bucket: store.bucket,
        key: storagePath,
        acl: "private",
        "x-amz-server-side-encryption": "AES256",
        ...(input.federationToken && { credentials: await store.clientCredentials() }),
        url: put,
      },
    };
  }
  const upload = uploadUrl({ origin: options.origin, fileId: file.id, projectId: auth.projectId, now });
  return { ...json, uploadParams: { url: upload.url, method: "PUT", expiresAt: upload.expiresAt.toISOString(), sizeBytes: input.isSliced ? null : (input.sizeBytes ?? null) } };
}

/**
 * PUT (or POST) /v2/storage/files/{id}/upload?…signature: the local backend's direct upload. Only
 * a prepared file takes bytes, exactly its prepared size when it has one; anything else leaves
 * nothing behind.
 */
export async function receivePreparedUpload(options: { db: Db; request: NextRequest; fileId: string; store?: FileStore }) {
  const { db, request } = options;
  const projectId = verifyUploadUrl({ fileId: options.fileId, params: request.nextUrl.searchParams });
  const id = parseFileId(options.fileId)!;
  const file = await db.file.findFirst({ where: { id, projectId } });
  const body = request.body ? Readable.fromWeb(request.body as unknown as WebReadableStream) : Readable.from([]);
  const refuse = (error: ApiError) => {
    body.resume();
    return error;
  };
  if (!file || (file.expiresAt && file.expiresAt <= new Date())) throw refuse(new ApiError(404, "notFound", `File ${options.fileId} was not found or has expired.`));
  if (file.uploadState !== "prepared") throw refuse(new ApiError(409, "fileAlreadyUploaded", `File ${file.id} already has its contents; prepare a new file for new bytes.`));
  const store = options.store ?? defaultFileStore();
  // A sliced File's bytes here are its manifest; the size it was prepared with is its slices'.
  const key = file.isSliced ? manifestKey(file) : file.storagePath;
  const expectedSize = file.preparedSizeBytes === null || file.isSliced ? undefined : Number(file.preparedSizeBytes);
  const declared = request.headers.get("content-length");
  if (declared !== null && expectedSize !== undefined && Number(declared) !== expectedSize) {
    throw refuse(new ApiError(422, "fileSizeMismatch", `The upload has ${declared} bytes where ${expectedSize} were prepared; nothing was stored.`));
  }
  if (declared !== null && Number(declared) > MAX_FILE_BYTES) throw refuse(new ApiError(413, "payloadTooLarge", `The file is larger than ${MAX_FILE_BYTES} bytes.`));
  let sourceFailed = false;
  body.once("error", () => (sourceFailed = true));
  let written;
  try {
    written = await store.put(key, body, { maxBytes: MAX_FILE_BYTES, expectedSize, contentType: file.contentType, tempName: `${randomUUID()}.part` });
  } catch (error) {
    if (error instanceof FileSizeMismatchError) throw new ApiError(422, "fileSizeMismatch", `${error.message} Nothing was stored.`);
    if (error instanceof FileTooLargeError) throw new ApiError(413, "payloadTooLarge", error.message);
    if (sourceFailed) throw badRequest("uploadIncomplete", "The upload ended before the whole file arrived; nothing was stored.");
    if (error instanceof FileWriteError) throw new ApiError(error.code === "diskFull" ? 507 : 503, error.code, error.message);
    throw error;
  }
  const { count } = await db.file.updateMany({
    where: { id: file.id, uploadState: "prepared" },
    data: file.isSliced ? { uploadState: "uploaded", sizeBytes: file.preparedSizeBytes ?? 0n } : { uploadState: "uploaded", sizeBytes: written.sizeBytes, sha256: written.sha256 },
  });
  if (count === 0) {
    // Another upload of the same file finished first, or the file was deleted meanwhile.
    if (!(await db.file.findUnique({ where: { id: file.id } }))) await store.delete(key);
    throw new ApiError(409, "fileAlreadyUploaded", `File ${file.id} already has its contents; prepare a new file for new bytes.`);
  }
  return db.file.findUniqueOrThrow({ where: { id: file.id }, include: { token: { select: { id: true, description: true } } } });
}
