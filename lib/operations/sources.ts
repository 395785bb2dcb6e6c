import "server-only";
// Where HarperDB's load operations read a CSV from: a server-side file inside JOBDECK_CSV_LOAD_DIR,
// a URL, or an S3 object. Each answers a stream; the caller stores it as a File (so that any worker
// can read it) and queues the import.
import { constants } from "node:fs";
import { open, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { GetObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { env } from "@/lib/env";
import { ApiError, invalidInput } from "@/lib/errors";
import { OutboundRefusedError, outboundFetch, outboundPolicy } from "@/lib/net/outbound";
import type { S3ObjectInput } from "@/lib/schemas/operations";
import { defaultFileStore } from "@/lib/storage/files/file-store";
import { S3FileStore } from "@/lib/storage/files/s3-file-store";

const pathNotAllowed = (shown: string) =>
  new ApiError(403, "pathNotAllowed", `file_path: ${shown} is outside the folder csv_file_load may read (JOBDECK_CSV_LOAD_DIR).`, "file_path");

/**
 * A CSV file on this server, inside JOBDECK_CSV_LOAD_DIR: a relative path is taken inside it, an
 * absolute one must lie inside it. Checked twice: the path as written (nothing outside is even
 * opened), then the file actually opened (a symlink leading out is refused).
 */
export async function openServerCsv(filePath: string): Promise<{ stream: Readable; name: string }> {
  if (!env.csvLoadDir) {
    throw new ApiError(403, "csvFileLoadOff", "csv_file_load reads files from the folder named by JOBDECK_CSV_LOAD_DIR, which is not set on this server.", "file_path");
  }
  const shown = JSON.stringify(filePath.slice(0, 200));
  if (filePath.includes("\u0000")) throw invalidInput("file_path: contains a NUL character", "file_path");
  const root = await realpath(env.csvLoadDir).catch(() => {
    throw new ApiError(503, "csvLoadDirMissing", "The folder JOBDECK_CSV_LOAD_DIR names does not exist on this server.");
  });
  // The path as written: inside the folder (as configured), or refused before anything is opened.
  const configured = path.resolve(env.csvLoadDir);
  const target = path.resolve(configured, filePath);
  if (!target.startsWith(configured + path.sep)) throw pathNotAllowed(shown);
  const inside = (p: string) => p.startsWith(root + path.sep);
  let handle;
  try {
    handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw invalidInput(`file_path: ${shown} does not exist`, "file_path");
    if (code === "EACCES" || code === "EPERM") throw new ApiError(403, "pathNotReadable", `file_path: Jobdeck may not read ${shown}.`, "file_path");
    throw error;
  }
  try {
    // What was opened, with every symlink followed.
    const real = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => realpath(target));
    if (!inside(real)) throw pathNotAllowed(shown);
    if (!(await handle.stat()).isFile()) throw invalidInput(`file_path: ${shown} is not a file`, "file_path");
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { stream: handle.createReadStream(), name: safeName(path.basename(filePath)) };
}

/** A CSV at a URL (http or https). */
export async function openUrlCsv(csvUrl: string): Promise<{ stream: Readable; name: string }> {
  const url = new URL(csvUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidInput("csv_url: must be an http or https URL", "csv_url");
  // Through the one outbound guard, as components' downloads: no private, loopback or link-local
  // addresses (after DNS and on every redirect) unless the operator allows the host.
  let response: Response;
  try {
    response = await outboundFetch(url, { policy: outboundPolicy("components"), timeoutMs: 60_000 });
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw new ApiError(422, "outboundRefused", `csv_url: ${error.message}`, "csv_url");
    throw new ApiError(422, "csvUrlUnreachable", `csv_url: could not fetch ${url.origin}${url.pathname.slice(0, 200)} (${(error as Error).cause ? String((error as { cause: { code?: string } }).cause.code ?? "network error") : "network error"}).`, "csv_url");
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new ApiError(422, "csvUrlFailed", `csv_url: the server answered HTTP ${response.status}.`, "csv_url");
  }
  return { stream: Readable.fromWeb(response.body as unknown as WebReadableStream), name: safeName(path.posix.basename(url.pathname) || "csv_url_load.csv") };
}

/** A client for the S3 object a request names: its own keys, or Jobdeck's S3 backend's. */
export function s3ClientFor(input: S3ObjectInput): S3Client {
  if (input.aws_access_key_id && input.aws_secret_access_key) {
    return new S3Client({
      region: input.region ?? "us-east-1",
      ...(input.endpoint && { endpoint: input.endpoint, forcePathStyle: true }),
      credentials: { accessKeyId: input.aws_access_key_id, secretAccessKey: input.aws_secret_access_key },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }
  const store = defaultFileStore();
  if (!(store instanceof S3FileStore)) {
    throw invalidInput("s3: aws_access_key_id and aws_secret_access_key are required (this Jobdeck keeps its files on disk, so it has no S3 keys of its own)", "s3");
  }
  return store.client;
}

export function s3Problem(error: unknown, what: string): ApiError {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    return new ApiError(422, "s3Failed", `s3: ${what} failed: ${error.name}${status ? ` (HTTP ${status})` : ""}.`, "s3");
  }
  return new ApiError(422, "s3Unreachable", `s3: ${what} failed: the store did not answer (${(error as NodeJS.ErrnoException).code ?? "network error"}).`, "s3");
}

/** A CSV object in S3 (HarperDB: the key must end in .csv; JSON imports are not Jobdeck's). */
export async function openS3Csv(input: S3ObjectInput): Promise<{ stream: Readable; name: string }> {
  if (!/\.csv$/i.test(input.key)) throw invalidInput("s3.key: must name a .csv object (Jobdeck imports CSV, not JSON)", "s3.key");
  const client = s3ClientFor(input);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
    return { stream: answer.Body as Readable, name: safeName(path.posix.basename(input.key)) };
  } catch (error) {
    throw s3Problem(error, `reading s3://${input.bucket}/${input.key.slice(0, 200)}`);
  }
}

/** A File name from a path's last part: the characters a File name may have, or a plain default. */
function safeName(base: string): string {
  const cleaned = base.replace(/[^\p{L}\p{N}._ ()+-]/gu, "_").replace(/\.{2,}/g, ".").replace(/^[^\p{L}\p{N}]+/u, "").slice(0, 200);
  return cleaned || "load.csv";
}
