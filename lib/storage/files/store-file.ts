import "server-only";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import type { File } from "@/lib/generated/prisma/client";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";

// Keboola keeps non-permanent files 15 days.
export const DEFAULT_FILE_TTL_MS = 15 * 86_400_000;
export const MAX_FILE_BYTES = env.JOBDECK_MAX_FILE_BYTES;

/** A new File's key in the store: `<projectId>/<yyyy-mm>/<uuid>`, never the name the caller gave. */
export function newStoragePath(projectId: number, now: Date, uuid: string = randomUUID()): string {
  return `${projectId}/${now.toISOString().slice(0, 7)}/${uuid}`;
}

/** Streams bytes into the Files backend and records them as a File. */
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
  store?: FileStore;
  // Jobs pass a name derived from their id so that a retry overwrites its own leftovers.
  tempName?: string;
  now?: Date;
}): Promise<File> {
  const store = pickFileStore(options);
  const now = options.now ?? new Date();
  const uuid = randomUUID();
  const storagePath = newStoragePath(options.projectId, now, uuid);
  const contentType = options.contentType ?? contentTypeFor(options.name);
  const written = await store.put(storagePath, options.source, {
    maxBytes: MAX_FILE_BYTES,
    contentType,
    tempName: options.tempName ?? `${uuid}.part`,
  });
  try {
    return await options.db.file.create({
      data: {
        projectId: options.projectId,
        tokenId: options.tokenId,
        name: options.name,
        sizeBytes: written.sizeBytes,
        sha256: written.sha256,
        contentType,
        tags: [...new Set(options.tags ?? [])],
        runId: options.runId ?? null,
        storagePath,
        created: now,
        expiresAt: options.expiresAt === undefined ? new Date(now.getTime() + DEFAULT_FILE_TTL_MS) : options.expiresAt,
      },
    });
  } catch (error) {
    await store.delete(storagePath).catch(() => undefined);
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
