import type { Db } from "@/lib/db";
import type { StorageJob } from "@/lib/generated/prisma/client";

export type OperationContext = { db: Db; job: StorageJob; filesDir: string };

/** What an operation reports: results for the job JSON, bytes moved, one line for the event log. */
export type OperationOutcome = { results: Record<string, unknown>; inBytes?: bigint; outBytes?: bigint; message: string };

// Imports and merges can take minutes on big tables; Prisma's default is 5 seconds.
export const LONG_TRANSACTION = { timeout: 60 * 60_000, maxWait: 60_000 } as const;
