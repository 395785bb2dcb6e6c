import "server-only";
// Streams a stored CSV file into a staging table: parse, check, and insert in batches. The
// target table is not touched here, so a bad file leaves it exactly as it was.
import type { Db } from "@/lib/db";
import type { File } from "@/lib/generated/prisma/client";
import { CsvError } from "@/lib/storage/csv/csv-error";
import { type CsvDialect, readCsv } from "@/lib/storage/csv/read-csv";
import type { FileStore } from "@/lib/storage/files/file-store";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { columnNamesProblem, newStagingName } from "@/lib/storage/identifiers";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { createStagingTable, dropDataTable, findDuplicateKey, insertStagingBatch } from "@/lib/storage/table-sql";

export const BATCH_ROWS = 5_000;
export const BATCH_BYTES = 4 * 1024 * 1024;

export type Staged = {
  name: string;
  header: string[];
  rows: number;
  /** The staging column of each of `columns` (the table's order). */
  positionsOf(columns: readonly string[]): number[];
  drop(): Promise<void>;
};

/** The header's problem against a table's columns (same names, any order), or null. */
export function headerMismatch(header: readonly string[], columns: readonly string[]): string | null {
  const missing = columns.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !columns.includes(c));
  if (missing.length === 0 && unknown.length === 0) return null;
  const parts = [
    missing.length > 0 && `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    unknown.length > 0 && `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => c.slice(0, 64)).join(", ")}`,
  ].filter(Boolean);
  return `the header does not match the table's columns (${columns.join(", ")}): ${parts.join("; ")}`;
}

export async function stageCsvFile(options: {
  db: Db;
  jobId: bigint;
  file: File;
  files: FileStore;
  // An import into an existing table: the header must name exactly these columns.
  expectedColumns?: readonly string[];
  dialect?: CsvDialect;
  // Keboola's withoutHeaders: the file's first line is data, and these are its columns.
  header?: readonly string[];
}): Promise<Staged> {
  const { db } = options;
  const { stream } = await openStoredFile({ storagePath: options.file.storagePath, store: options.files }).catch(() => {
    throw new StorageJobError("fileGone", `The contents of file ${options.file.id} are no longer on this server.`);
  });
  const name = newStagingName(options.jobId);
  let header: string[] | null = null;
  let created = false;
  if (options.header) {
    header = [...options.header];
    await createStagingTable(db, { name, width: header.length });
    created = true;
  }
  let rows = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  // One batch is inserted while the next is parsed: on PostgreSQL the two run on different cores.
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const json = `[${batch.join(",")}]`;
    batch = [];
    batchBytes = 0;
    await inFlight;
    inFlight = insertStagingBatch(db, { name, width: header!.length, json });
    // A failed insert must not go unobserved while the next batch is parsed.
    inFlight.catch(() => undefined);
  };
  const drop = () => dropDataTable(db, name);
  try {
    for await (const record of readCsv(stream, options.dialect)) {
      if (header === null) {
        header = record.values.map((v) => v.trim());
        const problem = columnNamesProblem(header) ?? (options.expectedColumns ? headerMismatch(header, options.expectedColumns) : null);
        if (problem) throw new CsvError(record.line, problem);
        await createStagingTable(db, { name, width: header.length });
        created = true;
        continue;
      }
      const json = JSON.stringify([record.line, ...record.values]);
      batch.push(json);
      batchBytes += json.length;
      rows++;
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
    }
    if (header === null) throw new CsvError(1, "the file is empty; a CSV file starts with a header naming the columns");
    await flush();
    await inFlight;
  } catch (error) {
    stream.destroy();
    await inFlight.catch(() => undefined);
    if (created) await drop().catch(() => undefined);
    throw error;
  }
  const finalHeader = header;
  return {
    name,
    header: finalHeader,
    rows,
    positionsOf: (columns) => columns.map((c) => finalHeader.indexOf(c)),
    drop,
  };
}

/** Refuses a file that holds the same primary key twice, naming both lines. */
export async function assertUniqueKeys(db: Db, staged: Staged, primaryKey: readonly string[]): Promise<void> {
  if (primaryKey.length === 0) return;
  const duplicate = await findDuplicateKey(db, { name: staged.name, keyPositions: staged.positionsOf(primaryKey) });
  if (!duplicate) return;
  const key = primaryKey.map((c, i) => `${c} = "${(duplicate.key[i] ?? "").slice(0, 100)}"`).join(", ");
  throw new CsvError(duplicate.line, `primary key ${key} is already on line ${duplicate.firstLine}; a file may hold each key once`);
}
