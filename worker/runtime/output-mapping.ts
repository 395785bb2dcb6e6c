// Step 3 of a process component's run (Keboola's Common Interface): what the program left in
// out/tables, out/files and out/state.json goes to Storage. Two phases, so that nothing is
// half-written: planOutputMapping() reads and checks everything on disk and normalises each table
// into one standard CSV (touching no Storage), then applyOutputMapping() stores and imports them.
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import { CsvError } from "@/lib/storage/csv/csv-error";
import { Utf8Check } from "@/lib/storage/csv/utf8-check";
import { fileNameProblem, MAX_TAGS, tagProblem } from "@/lib/storage/files/names";
import { columnNamesProblem, NAME_PATTERN, parseTableId, primaryKeyProblem } from "@/lib/storage/identifiers";
import { type OutputFileMapping, type OutputTableMapping, outputFileMappings, outputTableMappings } from "@/worker/components/config";
import type { StorageClient, TableRef } from "@/worker/components/storage-client";
import { UserError } from "@/worker/components/types";

export type PlannedTable = {
  /** The file or sliced folder, relative to the data folder (`out/tables/orders.csv`). */
  source: string;
  destination: string;
  columns: string[];
  incremental: boolean;
  primaryKey: string[];
  /** The normalised CSV (header, comma, double quote) in the plan's staging folder. */
  csvPath: string;
  rows: number;
};

export type PlannedFile = { source: string; path: string; name: string; tags: string[]; permanent: boolean };

export type OutputPlan = { tables: PlannedTable[]; files: PlannedFile[]; stagingDir: string };

export type OutputResult = { tables: TableRef[]; fileIds: string[] };

type TableManifest = {
  destination?: string;
  columns?: string[];
  incremental?: boolean;
  primary_key?: string[];
  delimiter?: string;
  enclosure?: string;
  has_header?: boolean;
};

type FileManifest = { tags?: string[]; is_permanent?: boolean };

const MANIFEST = ".manifest";
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_STATE_BYTES = 16 * 1024 * 1024;
// A record larger than this is refused: an unclosed quote must not pull the file into memory.
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Reads and checks out/ and writes each table as one standard CSV into a fresh staging folder
 * (under `stagingDir`, by default the system's temporary folder). Any problem is a UserError that
 * names the file, and then nothing is planned (the staging folder is removed).
 */
export async function planOutputMapping(options: {
  dir: string;
  /** The configuration's `storage` (its `output` part is read). */
  storage?: unknown;
  /** e.g. "out.c-acme-ex-weather-123", for components with Keboola's Default Bucket flag. */
  defaultBucket?: string | null;
  stagingDir?: string;
  signal?: AbortSignal;
}): Promise<OutputPlan> {
  const { dir } = options;
  const configuration = { storage: options.storage ?? {} };
  const tableMappings = outputTableMappings(configuration);
  const fileMappings = outputFileMappings(configuration);
  if (options.defaultBucket && !/^(in|out)\.c-[A-Za-z0-9][A-Za-z0-9_-]{0,95}$/.test(options.defaultBucket)) {
    throw new Error(`Default bucket "${options.defaultBucket}" is not a bucket id.`);
  }
  await refuseLinks(dir, "out");
  const tableEntries = await listEntries(dir, "out/tables");
  const fileEntries = await listEntries(dir, "out/files");

  const base = options.stagingDir ?? os.tmpdir();
  await mkdir(base, { recursive: true });
  const stagingDir = await mkdtemp(path.join(base, "jobdeck-output-"));
  try {
    const tables = await planTables({ dir, entries: tableEntries, mappings: tableMappings, defaultBucket: options.defaultBucket ?? null, stagingDir, signal: options.signal });
    const files = await planFiles({ dir, entries: fileEntries, mappings: fileMappings });
    return { tables, files, stagingDir };
  } catch (error) {
    await rm(stagingDir, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a plan's staging folder without applying it. */
export async function discardOutputPlan(plan: OutputPlan): Promise<void> {
  await rm(plan.stagingDir, { recursive: true, force: true });
}

/**
 * Stores each planned table as a File and imports it (creating bucket and table when missing), then
 * uploads out/files. Every step is a Storage job or File of the run. The staging folder is removed.
 */
export async function applyOutputMapping(options: { plan: OutputPlan; storage: StorageClient; signal?: AbortSignal }): Promise<OutputResult> {
  const { plan, storage } = options;
  try {
    // All the Files first: a full disk fails before any table changes.
    const stored = [];
    for (const table of plan.tables) {
      options.signal?.throwIfAborted();
      stored.push({ table, file: await storage.saveFile(`${table.destination}.csv`, createReadStream(table.csvPath), ["output-mapping"]) });
    }
    const tables: TableRef[] = [];
    for (const { table, file } of stored) {
      options.signal?.throwIfAborted();
      const written = await storage.writeTable(table.destination, file, { incremental: table.incremental, primaryKey: table.primaryKey });
      if (written) tables.push(written);
    }
    const fileIds: string[] = [];
    // A debug run writes nothing to Storage: its files are in the stage_output snapshot.
    if (!storage.debug) {
      for (const file of plan.files) {
        options.signal?.throwIfAborted();
        const saved = await storage.saveFile(file.name, createReadStream(file.path), file.tags, { contentType: "byName", permanent: file.permanent });
        fileIds.push(saved.id.toString());
      }
    }
    return { tables, fileIds };
  } finally {
    await discardOutputPlan(plan);
  }
}

/** out/state.json parsed (`{}` when absent or empty); a UserError when it is not a JSON object. */
export async function readOutputState(dir: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, "out", "state.json");
  const stat = await lstat(file).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : Promise.reject(error)));
  if (!stat) return {};
  if (!stat.isFile()) throw new UserError("out/state.json must be a regular file (not a link or a folder).");
  if (stat.size > MAX_STATE_BYTES) throw new UserError(`out/state.json is larger than ${MAX_STATE_BYTES / 1024 / 1024} MiB; keep the state small.`);
  const text = await readFile(file, "utf8");
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`out/state.json is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UserError("out/state.json must hold a JSON object.");
  return value as Record<string, unknown>;
}

// ---- reading out/ ----------------------------------------------------------------------------

/** Refuses any symbolic link (or other non-file) anywhere under `rel`; links are never followed. */
async function refuseLinks(dir: string, rel: string, depth = 0): Promise<void> {
  const stat = await lstat(path.join(dir, rel)).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : Promise.reject(error)));
  if (!stat) return;
  if (stat.isSymbolicLink()) throw new UserError(`${rel} is a symbolic link; the output must be regular files and folders.`);
  if (stat.isFile()) return;
  if (!stat.isDirectory()) throw new UserError(`${rel} is neither a file nor a folder.`);
  if (depth > 16) throw new UserError(`${rel} is nested too deeply.`);
  for (const name of await readdir(path.join(dir, rel))) await refuseLinks(dir, `${rel}/${name}`, depth + 1);
}

async function listEntries(dir: string, rel: string): Promise<Dirent[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) =>
    error.code === "ENOENT" ? [] : Promise.reject(error),
  );
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Data entries by name, and their manifests; a manifest without its data is an error. */
function pairManifests(entries: Dirent[], rel: string) {
  const data = entries.filter((e) => !e.name.endsWith(MANIFEST));
  const names = new Set(data.map((e) => e.name));
  const manifests = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.name.endsWith(MANIFEST)) continue;
    const of = entry.name.slice(0, -MANIFEST.length);
    if (!entry.isFile()) throw new UserError(`${rel}/${entry.name} must be a file.`);
    if (!names.has(of)) throw new UserError(`${rel}/${entry.name} is a manifest without its data file ${rel}/${of}.`);
    manifests.set(of, `${rel}/${entry.name}`);
  }
  return { data, manifests };
}

/** Why a mapping's `source` cannot name an entry of out/tables or out/files, or null. */
function sourceProblem(source: string): string | null {
  if (source.includes("/") || source.includes("\\") || source === "." || source === ".." || source.includes("\0")) return "is not a plain file name (it would leave the data folder)";
  return null;
}

async function readManifest(dir: string, rel: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, rel);
  const stat = await lstat(file);
  if (stat.size > MAX_MANIFEST_BYTES) throw new UserError(`${rel} is larger than 1 MiB.`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserError(`${rel} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UserError(`${rel} must hold a JSON object.`);
  return value as Record<string, unknown>;
}

type Check = (value: unknown) => boolean;
const isText: Check = (v) => typeof v === "string";
const isTexts: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === "string");
const isFlag: Check = (v) => typeof v === "boolean";
const anything: Check = () => true;

/** Checks each key of a manifest: known, of the right type; Keboola keys Jobdeck does not serve are refused by name. */
function checkManifest(rel: string, manifest: Record<string, unknown>, keys: Record<string, [Check, string]>, unsupported: readonly string[]) {
  for (const [key, value] of Object.entries(manifest)) {
    if (unsupported.includes(key)) throw new UserError(`${rel}: "${key}" is not supported.`);
    const rule = keys[key];
    if (!rule) throw new UserError(`${rel}: unknown key "${key}".`);
    if (value !== null && !rule[0](value)) throw new UserError(`${rel}: "${key}" must be ${rule[1]}.`);
  }
}

const TABLE_MANIFEST_KEYS: Record<string, [Check, string]> = {
  destination: [isText, "a table id"],
  columns: [isTexts, "a list of column names"],
  incremental: [isFlag, "true or false"],
  primary_key: [isTexts, "a list of column names"],
  delimiter: [isText, "one character"],
  enclosure: [isText, "one character or empty"],
  has_header: [isFlag, "true or false"],
  write_always: [isFlag, "true or false"],
  description: [isText, "text"],
  // Keboola's metadata for the table and its columns: accepted, not stored (Jobdeck has no metadata).
  metadata: [anything, "a list"],
  column_metadata: [anything, "an object"],
  manifest_type: [isText, "text"],
};
const TABLE_MANIFEST_UNSUPPORTED = ["delete_where", "delete_where_column", "delete_where_values", "delete_where_operator", "schema", "distribution_key"];

const FILE_MANIFEST_KEYS: Record<string, [Check, string]> = {
  tags: [isTexts, "a list of tags"],
  is_permanent: [isFlag, "true or false"],
  is_public: [isFlag, "true or false"],
  is_encrypted: [isFlag, "true or false"],
  notify: [isFlag, "true or false"],
};

// ---- tables ----------------------------------------------------------------------------------

async function planTables(options: {
  dir: string;
  entries: Dirent[];
  mappings: OutputTableMapping[];
  defaultBucket: string | null;
  stagingDir: string;
  signal?: AbortSignal;
}): Promise<PlannedTable[]> {
  const { dir } = options;
  const { data, manifests } = pairManifests(options.entries, "out/tables");
  const byName = new Map(data.map((e) => [e.name, e]));

  // Every mapping must find its file (Keboola: fulfilling the output mapping is mandatory).
  const mappingFor = new Map<string, OutputTableMapping>();
  for (const [i, mapping] of options.mappings.entries()) {
    const problem = sourceProblem(mapping.source);
    if (problem) throw new UserError(`Output mapping "storage.output.tables[${i}].source" "${mapping.source}" ${problem}.`);
    const name = byName.has(mapping.source) ? mapping.source : mapping.sourceImplied && byName.has(`${mapping.source}.csv`) ? `${mapping.source}.csv` : null;
    if (name === null) throw new UserError(`Output mapping "storage.output.tables[${i}]": out/tables/${mapping.source} was not found (the component did not write it).`);
    if (mappingFor.has(name)) throw new UserError(`Output mapping: out/tables/${name} is mapped twice.`);
    mappingFor.set(name, mapping);
  }

  const planned: PlannedTable[] = [];
  const destinations = new Map<string, string>();
  for (const [index, entry] of data.entries()) {
    options.signal?.throwIfAborted();
    const rel = `out/tables/${entry.name}`;
    const manifestRel = manifests.get(entry.name);
    const manifest = manifestRel ? ((await readManifest(dir, manifestRel)) as TableManifest & Record<string, unknown>) : {};
    if (manifestRel) checkManifest(manifestRel, manifest, TABLE_MANIFEST_KEYS, TABLE_MANIFEST_UNSUPPORTED);
    const mapping = mappingFor.get(entry.name);

    const destination = destinationOf({ name: entry.name, rel, manifest, mapping, defaultBucket: options.defaultBucket });
    const earlier = destinations.get(destination);
    if (earlier) throw new UserError(`${rel} and ${earlier} both go to table ${destination}.`);
    destinations.set(destination, rel);

    const format = formatOf(manifestRel ?? rel, manifest, mapping);
    const sliced = entry.isDirectory();
    if (!sliced && !entry.isFile()) throw new UserError(`${rel} is neither a file nor a folder.`);
    if (sliced && !format.columns) throw new UserError(`${rel} is a sliced table (a folder): its columns must be listed in ${rel}${MANIFEST} or in the output mapping.`);
    const parts = sliced ? await slicesOf(dir, rel) : [rel];

    const csvPath = path.join(options.stagingDir, `table-${index}.csv`);
    const { columns, rows } = await normalise({ dir, rel, parts, format, target: csvPath, signal: options.signal });
    const columnsProblem = columnNamesProblem(columns);
    if (columnsProblem) throw new UserError(`${rel}: ${columnsProblem}`);
    const primaryKey = mapping?.primaryKey ?? manifest.primary_key ?? [];
    const keyProblem = primaryKeyProblem(primaryKey, columns);
    if (keyProblem) throw new UserError(`${rel}: primary key ${keyProblem}`);
    planned.push({ source: rel, destination, columns, incremental: mapping?.incremental ?? manifest.incremental ?? false, primaryKey, csvPath, rows });
  }
  return planned;
}

/**
 * Where a table goes, lowest precedence first: a file name with two dots (`out.c-main.orders.csv`),
 * the component's default bucket + the file name, the manifest's `destination`, the configuration's
 * output mapping.
 */
function destinationOf(options: { name: string; rel: string; manifest: TableManifest; mapping?: OutputTableMapping; defaultBucket: string | null }): string {
  const { name, rel, manifest, mapping } = options;
  const base = name.endsWith(".csv") ? name.slice(0, -".csv".length) : name;
  let destination: string | null = mapping?.destination ?? (manifest.destination || null);
  if (!destination && options.defaultBucket) {
    if (!NAME_PATTERN.test(base)) throw new UserError(`${rel}: "${base}" cannot be a table name in ${options.defaultBucket} (letters, digits, underscores and dashes).`);
    destination = `${options.defaultBucket}.${base}`;
  }
  if (!destination && parseTableId(base)) destination = base;
  if (!destination) {
    throw new UserError(`${rel} has no destination: name it like out.c-bucket.table.csv, give its manifest a "destination", or map it in storage.output.tables.`);
  }
  if (!parseTableId(destination)) throw new UserError(`${rel}: destination "${destination}" is not a table id such as out.c-main.orders.`);
  return destination;
}

type Format = { columns?: string[]; delimiter: string; quote: string | null; hasHeader: boolean };

function formatOf(rel: string, manifest: TableManifest, mapping?: OutputTableMapping): Format {
  const delimiter = mapping?.delimiter ?? manifest.delimiter ?? ",";
  const enclosure = mapping?.enclosure ?? manifest.enclosure ?? '"';
  if ([...delimiter].length !== 1) throw new UserError(`${rel}: "delimiter" must be one character.`);
  if ([...enclosure].length > 1) throw new UserError(`${rel}: "enclosure" must be one character or empty.`);
  if (enclosure === delimiter) throw new UserError(`${rel}: "delimiter" and "enclosure" must differ.`);
  const columns = mapping?.columns ?? (manifest.columns && manifest.columns.length > 0 ? manifest.columns : undefined);
  return { columns, delimiter, quote: enclosure === "" ? null : enclosure, hasHeader: columns ? manifest.has_header === true : true };
}

async function slicesOf(dir: string, rel: string): Promise<string[]> {
  const slices: string[] = [];
  for (const entry of await listEntries(dir, rel)) {
    if (!entry.isFile()) throw new UserError(`${rel}/${entry.name}: a sliced table's folder may hold files only.`);
    slices.push(`${rel}/${entry.name}`);
  }
  return slices;
}

/**
 * Streams the parts (one file, or a sliced table's slices in name order) through the parser into one
 * CSV with a header row. Each record must have as many values as the columns; text must be UTF-8.
 */
async function normalise(options: { dir: string; rel: string; parts: string[]; format: Format; target: string; signal?: AbortSignal }) {
  const { format } = options;
  let columns = format.columns;
  let rows = 0;
  async function* records(): AsyncGenerator<string[]> {
    if (columns) yield columns;
    for (const part of options.parts) {
      let first = true;
      for await (const { line, values } of readRecords(options.dir, part, format)) {
        if (first && format.hasHeader) {
          first = false;
          if (!columns) {
            columns = values;
            yield columns;
          } else if (values.join("\u0000") !== columns.join("\u0000")) {
            throw new UserError(`${part}: the header row (${values.join(", ")}) does not match the columns ${columns.join(", ")}.`);
          }
          continue;
        }
        first = false;
        if (values.length !== columns!.length) {
          throw new UserError(`${part} line ${line}: expected ${columns!.length} values (${format.columns ? "the listed columns" : "as in the header"}) but found ${values.length}.`);
        }
        rows += 1;
        yield values;
      }
      if (first && format.hasHeader && !columns) throw new UserError(`${part} is empty: a table needs a header row (or its columns in the manifest).`);
    }
    if (!columns) throw new UserError(`${options.rel} is empty: a table needs a header row (or its columns in the manifest).`);
  }
  await pipeline(Readable.from(records()), stringify({ record_delimiter: "unix" }), createWriteStream(options.target), { signal: options.signal });
  return { columns: columns!, rows };
}

type ParserFailure = Error & { code?: string; lines?: number };

async function* readRecords(dir: string, rel: string, format: Format): AsyncGenerator<{ line: number; values: string[] }> {
  const source = createReadStream(path.join(dir, rel));
  const stages: Transform[] = rel.endsWith(".gz") ? [createGunzip()] : [];
  const check = new Utf8Check();
  const parser = parse({
    bom: true,
    info: true,
    delimiter: format.delimiter,
    quote: format.quote,
    escape: format.quote,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const chain = [source, ...stages, check, parser];
  for (const stream of chain) stream.on("error", (e: Error) => parser.destroy(e));
  for (let i = 0; i + 1 < chain.length; i++) chain[i]!.pipe(chain[i + 1] as Transform);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (item.record.some((v) => v.includes("\u0000"))) throw new UserError(`${rel} line ${item.info.lines}: contains a NUL character, which a table cannot hold.`);
      yield { line: item.info.lines, values: item.record };
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (error instanceof CsvError) throw new UserError(`${rel} line ${error.line}: ${error.problem}`);
    const failure = error as ParserFailure;
    if (typeof failure.code === "string" && (failure.code.startsWith("CSV_") || failure.code.startsWith("INVALID_"))) {
      throw new UserError(`${rel} line ${failure.lines ?? "?"}: ${failure.message.replace(/^[^:]*:\s*/, "")}`);
    }
    if (failure.code === "Z_DATA_ERROR" || failure.code === "Z_BUF_ERROR") throw new UserError(`${rel} is not valid gzip: ${failure.message}`);
    throw error;
  } finally {
    if (!source.destroyed) source.destroy();
  }
}

// ---- files -----------------------------------------------------------------------------------

async function planFiles(options: { dir: string; entries: Dirent[]; mappings: OutputFileMapping[] }): Promise<PlannedFile[]> {
  const { dir } = options;
  const { data, manifests } = pairManifests(options.entries, "out/files");
  const names = new Set(data.map((e) => e.name));
  const extraTags = new Map<string, OutputFileMapping>();
  for (const [i, mapping] of options.mappings.entries()) {
    const problem = sourceProblem(mapping.source);
    if (problem) throw new UserError(`Output mapping "storage.output.files[${i}].source" "${mapping.source}" ${problem}.`);
    if (!names.has(mapping.source)) throw new UserError(`Output mapping "storage.output.files[${i}]": out/files/${mapping.source} was not found (the component did not write it).`);
    extraTags.set(mapping.source, mapping);
  }
  const planned: PlannedFile[] = [];
  for (const entry of data) {
    const rel = `out/files/${entry.name}`;
    if (!entry.isFile()) throw new UserError(`${rel} is a folder; only files in out/files are uploaded.`);
    const nameProblem = fileNameProblem(entry.name);
    if (nameProblem) throw new UserError(`${rel}: a file name ${nameProblem}.`);
    const manifestRel = manifests.get(entry.name);
    const manifest = manifestRel ? ((await readManifest(dir, manifestRel)) as FileManifest & Record<string, unknown>) : {};
    if (manifestRel) checkManifest(manifestRel, manifest, FILE_MANIFEST_KEYS, []);
    const mapping = extraTags.get(entry.name);
    const tags = [...new Set([...(manifest.tags ?? []), ...(mapping?.tags ?? [])])];
    for (const tag of tags) {
      const problem = tagProblem(tag);
      if (problem) throw new UserError(`${manifestRel ?? rel}: tag "${tag}": ${problem}.`);
    }
    if (tags.length > MAX_TAGS) throw new UserError(`${rel}: at most ${MAX_TAGS} tags.`);
    planned.push({ source: rel, path: path.join(dir, rel), name: entry.name, tags, permanent: mapping?.isPermanent ?? manifest.is_permanent ?? false });
  }
  return planned;
}
