import type { Db } from "@/lib/db";
import type { StorageJob } from "@/lib/generated/prisma/client";
import type { FileStore } from "@/lib/storage/files/file-store";

// `files`: where Files' bytes are read and written (lib/storage/files/file-store.ts).
export type OperationContext = { db: Db; job: StorageJob; files: FileStore };

/** What an operation reports: results for the job JSON, bytes moved, one line for the event log. */
export type OperationOutcome = {
  results: Record<string, unknown>;
  inBytes?: bigint;
  outBytes?: bigint;
  // Keboola's metrics: a gzipped file read or written, and its size uncompressed (default: as stored).
  inCompressed?: boolean;
  inBytesUncompressed?: bigint;
  outCompressed?: boolean;
  outBytesUncompressed?: bigint;
  message: string;
};

// Imports and merges can take minutes on big tables; Prisma's default is 5 seconds.
export const LONG_TRANSACTION = { timeout: 60 * 60_000, maxWait: 60_000 } as const;
