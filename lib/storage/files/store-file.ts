import "server-only";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import type { File } from "@/lib/generated/prisma/client";
import { writeFileAtomically } from "@/lib/storage/files/write-file";

// Keboola keeps non-permanent files 15 days.
export const DEFAULT_FILE_TTL_MS = 15 * 86_400_000;
export const MAX_FILE_BYTES = env.JOBDECK_MAX_FILE_BYTES;

/**
 * Streams bytes into the files folder and records them as a File. The bytes land under a generated
 * path (`<projectId>/<yyyy-mm>/<uuid>`), never under the name the caller gave.
 */
export async function storeFile(options: {
  db: Db;
  projectId: number;
  tokenId: number;
  name: string;
  source: Readable;
  tags?: string[];
  runId?: string | null;
  contentType?: string;
  // null: permanent. Absent: DEFAULT_FILE_TTL_MS from now.
  expiresAt?: Date | null;
  filesDir?: string;
  // Jobs pass a name derived from their id so that a retry overwrites its own leftovers.
  tempName?: string;
  now?: Date;
}): Promise<File> {
  const filesDir = options.filesDir ?? env.filesDir;
  const now = options.now ?? new Date();
  const uuid = randomUUID();
  const storagePath = path.posix.join(String(options.projectId), now.toISOString().slice(0, 7), uuid);
  const written = await writeFileAtomically({
    filesDir,
    storagePath,
    tempName: options.tempName ?? `${uuid}.part`,
    source: options.source,
    maxBytes: MAX_FILE_BYTES,
  });
  try {
    return await options.db.file.create({
      data: {
        projectId: options.projectId,
        tokenId: options.tokenId,
        name: options.name,
        sizeBytes: written.sizeBytes,
        sha256: written.sha256,
        contentType: options.contentType ?? contentTypeFor(options.name),
        tags: [...new Set(options.tags ?? [])],
        runId: options.runId ?? null,
        storagePath,
        created: now,
        expiresAt: options.expiresAt === undefined ? new Date(now.getTime() + DEFAULT_FILE_TTL_MS) : options.expiresAt,
      },
    });
  } catch (error) {
    await rm(path.join(filesDir, storagePath), { force: true }).catch(() => undefined);
    throw error;
  }
}

export function contentTypeFor(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "text/csv";
  if (lower.endsWith(".json")) return "application/json";
  if (lower.endsWith(".txt")) return "text/plain";
  if (lower.endsWith(".gz")) return "application/gzip";
  return "application/octet-stream";
}
