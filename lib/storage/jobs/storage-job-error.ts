import { databaseErrorCodes } from "@/lib/db";
// An expected way for a Storage job to fail (a bad CSV, a table dropped meanwhile): its message is
// written for people and stored on the job. Anything else ends the job with a generic message and
// the details go to the server log.
export class StorageJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StorageJobError";
  }
}

// SQLSTATEs of a database that cannot take a write: out of disk, or not allowed to write.
const DATABASE_PROBLEMS: Record<string, [string, string]> = {
  "53100": ["diskFull", "the database ran out of disk space"],
  "53000": ["diskFull", "the database ran out of resources"],
  "42501": ["permissionDenied", "the database refused the write (permission denied)"],
  "25006": ["permissionDenied", "the database refused the write (it is read-only)"],
};

/** The SQLSTATE a database error carries, through Prisma's driver-adapter wrapping. */
export function sqlStateOf(error: unknown): string | null {
  return databaseErrorCodes(error).find((code) => /^[0-9A-Z]{5}$/.test(code)) ?? null;
}

/** A Storage job's words for a database that could not take its write, or null for other errors. */
export function databaseWriteProblem(error: unknown): StorageJobError | null {
  const state = sqlStateOf(error);
  const problem = state ? DATABASE_PROBLEMS[state] : undefined;
  return problem ? new StorageJobError(problem[0], `Could not write the table: ${problem[1]}. The table was left as it was.`) : null;
}
