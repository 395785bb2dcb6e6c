// Disk-full and permission errors while writing a file, in words for people and a code for
// programs. Anything else the file system throws is a generic write failure.

export type FileWriteProblem = "diskFull" | "permissionDenied" | "fileWriteFailed";

export class FileWriteError extends Error {
  constructor(
    readonly code: FileWriteProblem,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = "FileWriteError";
  }
}

const PROBLEMS: Record<string, [FileWriteProblem, string]> = {
  ENOSPC: ["diskFull", "the disk that holds Jobdeck's files is full"],
  EDQUOT: ["diskFull", "the disk quota for Jobdeck's files is used up"],
  EFBIG: ["diskFull", "the file is larger than the file system allows"],
  EACCES: ["permissionDenied", "Jobdeck may not write to its files folder (permission denied)"],
  EPERM: ["permissionDenied", "Jobdeck may not write to its files folder (operation not permitted)"],
  EROFS: ["permissionDenied", "Jobdeck's files folder is on a read-only file system"],
};

/** A FileWriteError for a file-system error (or null when `error` is not one). */
export function toFileWriteError(error: unknown): FileWriteError | null {
  if (error instanceof FileWriteError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return null;
  const [problem, words] = PROBLEMS[code] ?? ["fileWriteFailed", `the file could not be written (${code})`];
  return new FileWriteError(problem, `Could not write the file: ${words}.`, error);
}
