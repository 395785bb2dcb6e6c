import "server-only";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";

/** A read stream over a stored file's bytes; a file whose bytes are gone is "gone" (410). */
export async function openStoredFile(options: { storagePath: string; filesDir?: string }): Promise<{ stream: Readable; size: number }> {
  const full = path.join(options.filesDir ?? env.filesDir, options.storagePath);
  const info = await stat(full).catch(() => null);
  if (!info?.isFile()) throw new ApiError(410, "fileGone", "The file's contents are no longer on this server.");
  return { stream: createReadStream(full), size: info.size };
}
