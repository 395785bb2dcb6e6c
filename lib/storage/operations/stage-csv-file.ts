import "server-only";
// Streams a stored CSV file into a staging table. The target table is not touched here, so a bad
// file leaves it exactly as it was. Two ways in, same checks and same errors:
//   COPY (the default): the bytes are checked in one pass (copy-csv.ts) and streamed into COPY,
//     never parsed into JavaScript values; memory stays flat whatever the file's size.
//   rows: csv-parse and batched INSERTs, for what COPY cannot read (an empty enclosure, a
//     multi-byte delimiter) and for a client whose driver is unknown.
import { Readable } from "node:stream";
import { type Db, driverOf } from "@/lib/db";
import type { File } from "@/lib/generated/prisma/client";
import { copyIn } from "@/lib/storage/copy";
import { CsvCopyScanner, copyCanRead } from "@/lib/storage/csv/copy-csv";
import { CSV_PROBLEMS, CsvError, LinePlaces } from "@/lib/storage/csv/csv-error";
import { type CsvDialect, readCsv } from "@/lib/storage/csv/read-csv";
import type { FileStore } from "@/lib/storage/files/file-store";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { decompressed, openSlices } from "@/lib/storage/files/file-contents";
import { columnNamesProblem, newStagingName, quoteIdent, sqlLiteral, storageTableRef } from "@/lib/storage/identifiers";
import { sqlStateOf, StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import { createDataTable, createStagingTable, dropDataTable, findDuplicateKey, insertStagingBatch } from "@/lib/storage/table-sql";

export const BATCH_ROWS = 5_000;
export const BATCH_BYTES = 4 * 1024 * 1024;

export type Staged = {
  name: string;
  /** "staging": `_line` and c0…cN (createStagingTable); "table": the header's columns, as a data table without its key. */
  shape: "staging" | "table";
  header: string[];
  rows: number;
  /** The staging column of each of `columns` (the table's order). */
  positionsOf(columns: readonly string[]): number[];
  /** How errors name a `_line`: "line 5", or in a sliced file its slice and line (LinePlaces). */
  placeOf(line: number): string;
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

export type StageOptions = {
  db: Db;
  jobId: bigint;
  file: File;
  files: FileStore;
  // An import into an existing table: the header must name exactly these columns.
  expectedColumns?: readonly string[];
  dialect?: CsvDialect;
  // Keboola's withoutHeaders: the file's first line is data, and these are its columns.
  header?: readonly string[];
  // "table" (tableCreate): where COPY can, load straight into a table shaped as the new data table
  // (logged, the header's columns, no key yet), which then only needs its key and a new name.
  // Without COPY the result is a staging table whatever is asked: look at `Staged.shape`.
  shape?: "staging" | "table";
};

/** The header's problem (column names, or against the table's columns), or null. */
function headerProblem(header: readonly string[], expectedColumns?: readonly string[]): string | null {
  return columnNamesProblem(header) ?? (expectedColumns ? headerMismatch(header, expectedColumns) : null);
}


export async function stageCsvFile(options: StageOptions): Promise<Staged> {
  if (options.file.isSliced && !options.header) {
    throw new StorageJobError("columnsRequired", `File ${options.file.id} is sliced: its slices have no header, so the import needs the columns (columns, or the table's).`);
  }
  const contents = await openContents(options);
  const driver = driverOf(options.db);
  try {
    if (driver && copyCanRead(options.dialect ?? {})) return await stageByCopy(options, contents, driver);
    return await stageByRows(options, contents);
  } catch (error) {
    contents.close();
    throw contents.places.placed(error);
  }
}

/** A file's contents: one part, or a sliced file's slices one at a time; `places` names their lines. */
type Part = { name: string | null; stream: Readable };
type Contents = { parts: AsyncIterable<Part> | Iterable<Part>; places: LinePlaces; close(): void };

async function openContents(options: StageOptions): Promise<Contents> {
  const places = new LinePlaces();
  if (!options.file.isSliced) {
    const stream = decompressed(await openOne(options.file, options.files));
    return { parts: [{ name: null, stream }], places, close: () => stream.destroy() };
  }
  const slices = await openSlices({ db: options.db, file: options.file, store: options.files });
  return { parts: slices, places, close: () => slices.close() };
}

async function openOne(file: File, files: FileStore): Promise<Readable> {
  const { stream } = await openStoredFile({ storagePath: file.storagePath, store: files }).catch(() => {
    throw new StorageJobError("fileGone", `The contents of file ${file.id} are no longer on this server.`);
  });
  return stream;
}


/**
 * COPY into the staging table. The header is read first (the staging table's width comes from
 * it), then the checked records stream into COPY with the line each ends on as `_line`. A sliced
 * file's slices are checked one by one (each ends its own records) and numbered on as one run.
 */
async function stageByCopy(options: StageOptions, contents: Contents, driver: NonNullable<ReturnType<typeof driverOf>>): Promise<Staged> {
  const { db } = options;
  const name = newStagingName(options.jobId);
  const delimiter = options.dialect?.delimiter ?? ",";
  const enclosure = options.dialect?.enclosure ?? '"';
  const shape = options.shape ?? "staging";
  const escapedBy = options.dialect?.escapedBy ?? "";
  const scanner = new CsvCopyScanner({
    delimiter,
    enclosure,
    escapedBy,
    lineColumn: shape === "staging",
    ...(options.header && { header: options.header }),
    onHeader: (header, line) => {
      const problem = headerProblem(header, options.expectedColumns);
      if (problem) throw new CsvError(line, problem);
    },
  });
  // COPY's input: the records of each part, as the scanner writes them.
  const records = (async function* () {
    for await (const part of contents.parts) {
      if (part.name !== null) contents.places.beginSlice(part.name, scanner.currentLine);
      for await (const chunk of part.stream as AsyncIterable<Buffer>) {
        const out = scanner.write(chunk);
        if (out) yield out;
      }
      if (part.name !== null) {
        const out = scanner.endSlice();
        if (out) yield out;
      }
    }
    const last = scanner.end();
    if (last) yield last;
  })();
  // What the scanner wrote before the header was known (the header's own chunk holds records too).
  const early: Buffer[] = [];
  let ended = false;
  let created = false;
  const drop = () => dropDataTable(db, name);
  try {
    while (scanner.header === null) {
      const next = await records.next();
      if (next.done) {
        ended = true;
        break;
      }
      early.push(next.value);
    }
    const header = scanner.header!;
    if (shape === "table") await createDataTable(db, { sqlName: name, columns: header, primaryKey: [] });
    else await createStagingTable(db, { name, width: header.length });
    created = true;
    const input = async function* () {
      yield* early.splice(0);
      if (!ended) yield* records;
    };
    const columns = shape === "table" ? header.map(quoteIdent).join(", ") : header.map((_, i) => `c${i}`).join(", ");
    await copyIn(driver, {
      target: `${storageTableRef(name)} (${columns}${shape === "table" ? "" : ", _line"})`,
      // FORCE_NOT_NULL: an empty unquoted value is '' (as the rows path stores it), never NULL.
      options: `WITH (FORMAT csv, DELIMITER ${sqlLiteral(delimiter)}, QUOTE ${sqlLiteral(enclosure)}${escapedBy ? `, ESCAPE ${sqlLiteral(escapedBy)}` : ""}, FORCE_NOT_NULL (${columns}))`,
      input: input(),
    });
  } catch (error) {
    if (created) await drop().catch(() => undefined);
    throw error;
  }
  const header = scanner.header!;
  return { name, shape, header, rows: scanner.rows, positionsOf: (columns) => columns.map((c) => header.indexOf(c)), placeOf: (line) => contents.places.of(line), drop };
}

/**
 * csv-parse and batched INSERTs (one jsonb parameter a batch). A sliced file's slices are parsed
 * one by one and numbered on as one run, each slice starting after the last line of the one before.
 */
async function stageByRows(options: StageOptions, contents: Contents): Promise<Staged> {
  const { db } = options;
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
    // The run's line before each part's first.
    let before = 0;
    for await (const part of contents.parts) {
      if (part.name !== null) contents.places.beginSlice(part.name, before + 1);
      let last = 0;
      try {
        for await (const record of readCsv(part.stream, options.dialect)) {
          const line = before + record.line;
          last = record.line;
          if (header === null) {
            header = record.values.map((v) => v.trim());
            const problem = headerProblem(header, options.expectedColumns);
            if (problem) throw new CsvError(line, problem);
            await createStagingTable(db, { name, width: header.length });
            created = true;
            continue;
          }
          const json = JSON.stringify([line, ...record.values]);
          batch.push(json);
          batchBytes += json.length;
          rows++;
          if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
        }
      } catch (error) {
        throw error instanceof CsvError && before > 0 ? new CsvError(before + error.line, error.problem) : error;
      }
      before += last;
    }
    if (header === null) throw new CsvError(1, CSV_PROBLEMS.empty);
    await flush();
    await inFlight;
  } catch (error) {
    await inFlight.catch(() => undefined);
    if (created) await drop().catch(() => undefined);
    throw error;
  }
  const finalHeader = header;
  return {
    name,
    shape: "staging",
    header: finalHeader,
    rows,
    positionsOf: (columns) => columns.map((c) => finalHeader.indexOf(c)),
    placeOf: (line) => contents.places.of(line),
    drop,
  };
}

/** Refuses a file that holds the same primary key twice, naming both lines. */
export async function assertUniqueKeys(db: Db, staged: Staged, primaryKey: readonly string[]): Promise<void> {
  if (primaryKey.length === 0) return;
  const duplicate = await findDuplicateKey(db, { name: staged.name, keyPositions: staged.positionsOf(primaryKey) });
  if (!duplicate) return;
  const key = primaryKey.map((c, i) => `${c} = "${(duplicate.key[i] ?? "").slice(0, 100)}"`).join(", ");
  throw new CsvError(duplicate.line, `primary key ${key} is already on ${staged.placeOf(duplicate.firstLine)}; a file may hold each key once`, staged.placeOf(duplicate.line));
}

/** A key the database found twice: a unique violation, or an upsert that met the same row twice. */
export function isDuplicateKeyError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === "23505" || state === "21000";
}

/**
 * After the database refused a key found twice (the fast paths let the key itself find
 * duplicates rather than looking for them first): the CsvError naming both lines, from `staged`
 * when it has them, else from the file staged again. Throws `error` itself when no key is found twice.
 */
export async function explainDuplicateKey(options: StageOptions & { staged: Staged; primaryKey: readonly string[]; error: unknown }): Promise<never> {
  const { staged, primaryKey, error } = options;
  if (staged.shape === "staging") {
    await assertUniqueKeys(options.db, staged, primaryKey);
    throw error;
  }
  const again = await stageCsvFile({ ...options, shape: "staging" });
  try {
    await assertUniqueKeys(options.db, again, primaryKey);
  } finally {
    await again.drop().catch(() => undefined);
  }
  throw error;
}
