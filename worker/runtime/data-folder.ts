import "server-only";
// Step 1 of a process component's run (Keboola's Common Interface): the data folder the program
// reads. config.json, in/state.json, the input mapping's tables (each an export Storage job of the
// run, filters applied by Storage) and files, each with its manifest; empty out/ folders to write.
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { env } from "@/lib/env";
import type { File } from "@/lib/generated/prisma/client";
import { inputFileMappings, inputTableMappings } from "@/worker/components/config";
import type { StorageClient, TableRef } from "@/worker/components/storage-client";
import { UserError } from "@/worker/components/types";

export type PrepareDataFolderOptions = {
  /** The job's data folder (KBC_DATADIR); created if missing, expected empty. */
  dir: string;
  /** The configuration body (`storage`, `parameters`, …), secrets already decrypted. */
  configuration: Record<string, unknown>;
  /** The component's own parameters (Keboola's image_parameters). */
  imageParameters?: Record<string, unknown>;
  /** OAuth credentials or the like, already decrypted; written only when given. */
  authorization?: Record<string, unknown> | null;
  action?: string;
  /** The configuration's stored state (`{}` when none). */
  state?: Record<string, unknown> | null;
  storage: StorageClient;
  signal?: AbortSignal;
};

export type PreparedInput = {
  /** The tables read, for the job's `result.input.tables`. */
  tables: TableRef[];
  /** Ids of the Files put into in/files. */
  fileIds: string[];
};

/** The folders Keboola's Common Interface promises a component. */
export const DATA_FOLDERS = ["in/tables", "in/files", "out/tables", "out/files"] as const;

export async function prepareDataFolder(options: PrepareDataFolderOptions): Promise<PreparedInput> {
  const { dir, configuration, storage } = options;
  // Read (and check) the whole mapping before the first export, so a typo costs no Storage job.
  const tableMappings = inputTableMappings(configuration, { defaultDestination: (source) => `${source}.csv` });
  const fileMappings = inputFileMappings(configuration);
  const destinations = new Set<string>();
  for (const [i, mapping] of tableMappings.entries()) {
    const problem = plainFileNameProblem(mapping.destination);
    if (problem) throw new UserError(`Input mapping "storage.input.tables[${i}].destination" "${mapping.destination}" ${problem}.`);
    if (destinations.has(mapping.destination)) throw new UserError(`Input mapping: two tables are mapped to "${mapping.destination}".`);
    destinations.add(mapping.destination);
  }

  for (const folder of DATA_FOLDERS) await mkdir(path.join(dir, folder), { recursive: true });
  const config = {
    storage: configuration.storage ?? {},
    parameters: configuration.parameters ?? {},
    image_parameters: options.imageParameters ?? {},
    action: options.action ?? "run",
    ...(options.authorization && { authorization: options.authorization }),
  };
  await writeFile(path.join(dir, "config.json"), JSON.stringify(config, null, 2));
  await writeFile(path.join(dir, "in", "state.json"), JSON.stringify(options.state ?? {}));

  const tables: TableRef[] = [];
  for (const mapping of tableMappings) {
    options.signal?.throwIfAborted();
    const { table, open } = await storage.readTable(mapping.source, mapping.filters);
    const target = path.join(dir, "in", "tables", mapping.destination);
    await pipeline(await open(), createWriteStream(target, { flags: "wx" }), { signal: options.signal });
    const facts = await storage.describeTable(mapping.source);
    const manifest = {
      id: facts.tableId,
      uri: `${env.publicUrl}/api/v2/storage/tables/${facts.tableId}`,
      name: facts.name,
      display_name: facts.displayName,
      primary_key: facts.primaryKey,
      columns: mapping.filters.columns ?? facts.columns,
      created: keboolaTime(facts.createdAt),
      last_change_date: facts.lastImportDate ? keboolaTime(facts.lastImportDate) : null,
      last_import_date: facts.lastImportDate ? keboolaTime(facts.lastImportDate) : null,
      rows_count: Number(facts.rowsCount),
      data_size_bytes: Number(facts.dataSizeBytes),
      is_alias: false,
      attributes: [],
      indexed_columns: facts.primaryKey,
      metadata: [],
      column_metadata: Object.fromEntries((mapping.filters.columns ?? facts.columns).map((c) => [c, []])),
    };
    await writeFile(`${target}.manifest`, JSON.stringify(manifest, null, 2));
    tables.push(table);
  }

  const fileIds: string[] = [];
  for (const mapping of fileMappings) {
    options.signal?.throwIfAborted();
    // Keboola's filter_by_run_id: the files of this run's orchestration (the parent run and below).
    const runIdPrefix = mapping.filterByRunId ? (storage.parentRunId ?? storage.runId) : undefined;
    const files = await storage.findFiles({ tags: mapping.tags, limit: mapping.limit, runIdPrefix });
    for (const file of files) {
      if (fileIds.includes(file.id.toString())) continue;
      await copyInputFile(dir, file, storage, options.signal);
      fileIds.push(file.id.toString());
    }
  }
  return { tables, fileIds };
}

async function copyInputFile(dir: string, file: File, storage: StorageClient, signal?: AbortSignal) {
  // Stored names are checked on upload; a path separator is replaced all the same.
  const name = `${file.id}_${file.name.replaceAll(/[/\\\0]/g, "_")}`;
  const target = path.join(dir, "in", "files", name);
  await pipeline(await storage.openFile(file), createWriteStream(target, { flags: "wx" }), { signal });
  const manifest = {
    id: Number(file.id),
    name: file.name,
    created: keboolaTime(file.created),
    is_public: false,
    is_encrypted: false,
    is_sliced: false,
    size_bytes: Number(file.sizeBytes),
    content_type: file.contentType,
    tags: file.tags,
    max_age_days: file.expiresAt ? Math.max(0, Math.round((file.expiresAt.getTime() - file.created.getTime()) / 86_400_000)) : null,
    run_id: file.runId,
  };
  await writeFile(`${target}.manifest`, JSON.stringify(manifest, null, 2));
}

/** Why `name` is not a plain file name inside in/tables, or null. */
export function plainFileNameProblem(name: string): string | null {
  if (name === "" || name.length > 255) return "must be a file name of 1–255 characters";
  if (/[/\\]/.test(name)) return "must be a plain file name (no /)";
  if (name.includes("..")) return 'may not contain ".."';
  if (name.startsWith(".")) return "may not start with a dot";
  if (/[\0-\x1f]/.test(name)) return "may not contain control characters";
  if (name.endsWith(".manifest")) return 'may not end with ".manifest"';
  return null;
}

/** Keboola's manifest time: `2015-01-25T01:35:14+0000`. */
export function keboolaTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}
