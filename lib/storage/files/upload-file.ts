import "server-only";
// POST /v2/storage/files: a multipart form (fields first, then one file part) or the raw body with
// ?name=…; streamed to disk, never held in memory.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import type { NextRequest } from "next/server";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, badRequest, invalidInput } from "@/lib/errors";
import type { UploadFileQuery } from "@/lib/schemas/storage";
import { FileWriteError } from "@/lib/storage/files/fs-errors";
import { fileNameProblem, MAX_TAGS, tagProblem } from "@/lib/storage/files/names";
import { MAX_FILE_BYTES, storeFile } from "@/lib/storage/files/store-file";
import { FileTooLargeError } from "@/lib/storage/files/write-file";

type Upload = { name: string | undefined; tags: string[]; contentType: string | undefined; source: Readable };

function bodyStream(request: NextRequest): Readable {
  return request.body ? Readable.fromWeb(request.body as unknown as WebReadableStream) : Readable.from([]);
}

/** Waits for the first file part of a multipart body; the fields sent before it come along. */
function readMultipart(request: NextRequest): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": request.headers.get("content-type") ?? "" }, limits: { files: 1, fields: 50, fieldSize: 10_000 } });
    } catch {
      reject(badRequest("malformedMultipart", "The multipart body has no boundary."));
      return;
    }
    const fields: Record<string, string[]> = {};
    let settled = false;
    parser.on("field", (name, value) => {
      const key = name.replace(/\[\]$/, "");
      (fields[key] ??= []).push(value);
    });
    parser.on("file", (_field, stream, info) => {
      if (settled) return void stream.resume();
      settled = true;
      resolve({
        name: fields.name?.[0] ?? info.filename,
        tags: (fields.tags ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean),
        contentType: info.mimeType && info.mimeType !== "application/octet-stream" ? info.mimeType : undefined,
        source: stream,
      });
    });
    parser.on("error", () => {
      if (!settled) reject(badRequest("malformedMultipart", "The multipart body is malformed."));
    });
    parser.on("close", () => {
      if (!settled) reject(invalidInput("file: the form has no file part", "file"));
    });
    bodyStream(request).on("error", (e) => parser.destroy(e)).pipe(parser);
  });
}

export async function uploadFile(options: { db: Db; auth: AuthContext; request: NextRequest; query: UploadFileQuery; runId: string | null }) {
  const { request, query } = options;
  if (Number(request.headers.get("content-length") ?? "0") > MAX_FILE_BYTES) throw toUploadError(new FileTooLargeError(MAX_FILE_BYTES));
  const multipart = (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
  const upload: Upload = multipart
    ? await readMultipart(request)
    : { name: undefined, tags: [], contentType: request.headers.get("content-type") ?? undefined, source: bodyStream(request) };
  const name = query.name ?? upload.name;
  const tags = [...(query.tags ?? []), ...upload.tags];
  const problem = name === undefined ? "is required (?name=… or the form's file name)" : fileNameProblem(name);
  const tagIssue = tags.map(tagProblem).find(Boolean) ?? (tags.length > MAX_TAGS ? `at most ${MAX_TAGS} tags` : null);
  if (problem || tagIssue) {
    upload.source.resume();
    throw problem ? invalidInput(`name: ${problem}`, "name") : invalidInput(`tags: ${tagIssue}`, "tags");
  }
  const now = new Date();
  // An upload cut short (a closed connection, a truncated form) is the client's problem, not a full disk.
  let sourceFailed = false;
  upload.source.once("error", () => (sourceFailed = true));
  try {
    return await storeFile({
      db: options.db,
      projectId: options.auth.projectId,
      tokenId: options.auth.tokenId,
      name: name!,
      source: upload.source,
      tags,
      runId: options.runId,
      contentType: cleanContentType(upload.contentType),
      ...(query.isPermanent ? { expiresAt: null } : query.expiresIn ? { expiresAt: new Date(now.getTime() + query.expiresIn * 1000) } : {}),
      now,
    });
  } catch (error) {
    if (sourceFailed && !(error instanceof FileTooLargeError)) throw badRequest("uploadIncomplete", "The upload ended before the whole file arrived.");
    throw toUploadError(error);
  }
}

/** A plain `type/subtype`, or undefined (the name's extension decides). */
function cleanContentType(raw: string | undefined): string | undefined {
  const type = raw?.split(";")[0]?.trim().toLowerCase();
  return type && /^[a-z0-9.+-]{1,100}\/[a-z0-9.+-]{1,100}$/.test(type) && type !== "application/octet-stream" ? type : undefined;
}

function toUploadError(error: unknown): unknown {
  if (error instanceof FileTooLargeError) return new ApiError(413, "payloadTooLarge", error.message);
  if (error instanceof FileWriteError) return new ApiError(error.code === "diskFull" ? 507 : 503, error.code, error.message);
  return error;
}
