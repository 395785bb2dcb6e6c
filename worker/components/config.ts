// Reading a component's configuration body: each setting checked, with an error that names it.
// Keboola's `storage.input` / `storage.output` mappings are read here too, for the built-ins and
// for the data folder of process components alike.
import type { ExportFilters } from "@/lib/schemas/storage";
import { UserError } from "./types";

type Body = Record<string, unknown>;

export function text(config: Body, key: string): string {
  const value = config[key];
  if (typeof value !== "string" || value.trim() === "") throw new UserError(`Configuration "${key}" must be a non-empty string.`);
  return value.trim();
}

export function textList(config: Body, key: string, options: { optional?: boolean } = {}): string[] {
  const value = config[key];
  if (value === undefined && options.optional) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new UserError(`Configuration "${key}" must be a list of strings.`);
  return value as string[];
}

export type TableMapping = {
  source: string;
  destination: string;
  /** Keboola input mappings only: what the export keeps. */
  filters?: ExportFilters;
  /** Keboola output mappings only. */
  incremental?: boolean;
  primaryKey?: string[];
};

/**
 * A mapping is `"in.c-b.t"` (same name on both sides) or `{"source": …, "destination": …}`, listed
 * under `key` ("input" or "output"); without that key, Keboola's `storage.<key>.tables[]` is read.
 */
export function mappings(config: Body, key: "input" | "output", name: (tableId: string) => string): TableMapping[] {
  if (config[key] === undefined && hasStorageTables(config, key)) {
    return key === "input"
      ? inputTableMappings(config, { defaultDestination: name }).map(({ source, destination, filters }) => ({ source, destination, filters }))
      : outputTableMappings(config).map(({ source, destination, incremental, primaryKey }) => ({ source, destination, incremental, primaryKey }));
  }
  const value = config[key] ?? [];
  if (!Array.isArray(value)) throw new UserError(`Configuration "${key}" must be a list of tables.`);
  return value.map((m, i) => {
    if (typeof m === "string") return key === "input" ? { source: m, destination: name(m) } : { source: name(m), destination: m };
    if (m && typeof m === "object" && typeof m.source === "string" && typeof m.destination === "string") return { source: m.source, destination: m.destination };
    throw new UserError(`Configuration "${key}[${i}]" must be a table id or {"source", "destination"}.`);
  });
}

export function flag(config: Body, key: string): boolean {
  const value = config[key];
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new UserError(`Configuration "${key}" must be true or false.`);
  return value;
}

// ---- Keboola's storage mappings -----------------------------------------------------------

export type InputTableMapping = { source: string; destination: string; filters: ExportFilters };
export type InputFileMapping = { tags: string[]; limit: number; filterByRunId: boolean };
export type OutputTableMapping = {
  source: string;
  destination: string;
  incremental?: boolean;
  primaryKey?: string[];
  columns?: string[];
  delimiter?: string;
  enclosure?: string;
  writeAlways: boolean;
  /** No `source` was given: the file is named as the destination (with or without ".csv"). */
  sourceImplied?: true;
};
export type OutputFileMapping = { source: string; tags: string[]; isPermanent?: boolean };

/** Keboola limits a file mapping to 10 files, against accidental downloads. */
export const DEFAULT_FILE_LIMIT = 10;

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `storage.<direction>` of a configuration (absent parts are empty), each level checked. */
function storagePart(config: Body, direction: "input" | "output"): Body {
  const storage = config.storage;
  if (storage === undefined || storage === null) return {};
  if (!isObject(storage)) throw new UserError('Configuration "storage" must be an object.');
  const part = storage[direction];
  if (part === undefined || part === null) return {};
  if (!isObject(part)) throw new UserError(`Configuration "storage.${direction}" must be an object.`);
  return part;
}

function hasStorageTables(config: Body, direction: "input" | "output"): boolean {
  return storagePart(config, direction).tables !== undefined;
}

function list(part: Body, path: string, key: string): Body[] {
  const value = part[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new UserError(`Configuration "${path}.${key}" must be a list.`);
  return value.map((item, i) => {
    if (!isObject(item)) throw new UserError(`Configuration "${path}.${key}[${i}]" must be an object.`);
    return item;
  });
}

function optionalText(item: Body, path: string, key: string): string | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new UserError(`Configuration "${path}.${key}" must be a string.`);
  return value;
}

function optionalTexts(item: Body, path: string, key: string): string[] | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new UserError(`Configuration "${path}.${key}" must be a list of strings.`);
  return value as string[];
}

function optionalFlag(item: Body, path: string, key: string): boolean | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new UserError(`Configuration "${path}.${key}" must be true or false.`);
  return value;
}

function optionalCount(item: Body, path: string, key: string): number | undefined {
  const value = item[key];
  if (value === undefined || value === null || value === "") return undefined;
  const count = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) throw new UserError(`Configuration "${path}.${key}" must be a whole number.`);
  return count;
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === "" || value === 0 || value === "0";

/**
 * `storage.input.tables[]`: `{source, destination?, columns?, where_column?, where_values?,
 * where_operator?, limit?}`. `changed_since` and `days` are refused: Jobdeck keeps no per-row
 * change time to filter by.
 */
export function inputTableMappings(config: Body, options: { defaultDestination: (source: string) => string }): InputTableMapping[] {
  return list(storagePart(config, "input"), "storage.input", "tables").map((item, i) => {
    const path = `storage.input.tables[${i}]`;
    const source = optionalText(item, path, "source");
    if (!source || source.trim() === "") throw new UserError(`Configuration "${path}.source" must be a table id.`);
    for (const key of ["changed_since", "days"]) {
      if (!isEmpty(item[key])) throw new UserError(`Configuration "${path}.${key}" is not supported: Jobdeck keeps no per-row change time; filter with where_column/where_values instead.`);
    }
    const columns = optionalTexts(item, path, "columns");
    const whereColumn = optionalText(item, path, "where_column");
    const whereValues = optionalTexts(item, path, "where_values");
    const operator = optionalText(item, path, "where_operator") ?? "eq";
    if (operator !== "eq" && operator !== "ne") throw new UserError(`Configuration "${path}.where_operator" must be "eq" or "ne".`);
    const limit = optionalCount(item, path, "limit");
    const filters: ExportFilters = {
      ...(columns && columns.length > 0 && { columns }),
      ...(whereColumn && { whereColumn, whereValues: whereValues ?? [], whereOperator: operator }),
      ...(limit !== undefined && limit > 0 && { limit }),
    };
    const destination = optionalText(item, path, "destination");
    return { source: source.trim(), destination: destination && destination.trim() !== "" ? destination.trim() : options.defaultDestination(source.trim()), filters };
  });
}

/** `storage.input.files[]`: `{tags[], limit?, filter_by_run_id?}`; `query` is refused (no search engine). */
export function inputFileMappings(config: Body): InputFileMapping[] {
  return list(storagePart(config, "input"), "storage.input", "files").map((item, i) => {
    const path = `storage.input.files[${i}]`;
    if (!isEmpty(item.query)) throw new UserError(`Configuration "${path}.query" is not supported: select files by "tags".`);
    if (item.processed_tags !== undefined) throw new UserError(`Configuration "${path}.processed_tags" is not supported (Keboola deprecated it): keep the processed file ids in the state file.`);
    const tags = optionalTexts(item, path, "tags") ?? [];
    if (tags.length === 0) throw new UserError(`Configuration "${path}.tags" must list at least one tag.`);
    const limit = optionalCount(item, path, "limit");
    return { tags, limit: limit && limit > 0 ? limit : DEFAULT_FILE_LIMIT, filterByRunId: optionalFlag(item, path, "filter_by_run_id") ?? false };
  });
}

/**
 * `storage.output.tables[]`: `{source?, destination, incremental?, primary_key?, columns?,
 * delimiter?, enclosure?, write_always?}`. Keboola's row deletion before a load (`delete_where…`)
 * is refused rather than ignored.
 */
export function outputTableMappings(config: Body): OutputTableMapping[] {
  return list(storagePart(config, "output"), "storage.output", "tables").map((item, i) => {
    const path = `storage.output.tables[${i}]`;
    for (const key of ["delete_where", "delete_where_column", "delete_where_values"]) {
      if (item[key] !== undefined && !(Array.isArray(item[key]) && item[key].length === 0) && item[key] !== "") {
        throw new UserError(`Configuration "${path}.${key}" is not supported.`);
      }
    }
    const destination = optionalText(item, path, "destination");
    if (!destination || destination.trim() === "") throw new UserError(`Configuration "${path}.destination" must be a table id.`);
    const source = optionalText(item, path, "source");
    const incremental = optionalFlag(item, path, "incremental");
    const primaryKey = optionalTexts(item, path, "primary_key");
    const columns = optionalTexts(item, path, "columns");
    const delimiter = optionalText(item, path, "delimiter");
    const enclosure = optionalText(item, path, "enclosure");
    return {
      source: source && source.trim() !== "" ? source.trim() : destination.trim(),
      destination: destination.trim(),
      ...(incremental !== undefined && { incremental }),
      ...(primaryKey !== undefined && { primaryKey }),
      ...(columns !== undefined && columns.length > 0 && { columns }),
      ...(delimiter !== undefined && delimiter !== "" && { delimiter }),
      ...(enclosure !== undefined && enclosure !== "" && { enclosure }),
      writeAlways: optionalFlag(item, path, "write_always") ?? false,
      ...(!(source && source.trim() !== "") && { sourceImplied: true as const }),
    };
  });
}

/** `storage.output.files[]`: `{source, tags[], is_permanent?}`. */
export function outputFileMappings(config: Body): OutputFileMapping[] {
  return list(storagePart(config, "output"), "storage.output", "files").map((item, i) => {
    const path = `storage.output.files[${i}]`;
    const source = optionalText(item, path, "source");
    if (!source || source.trim() === "") throw new UserError(`Configuration "${path}.source" must be a file name in out/files.`);
    const isPermanent = optionalFlag(item, path, "is_permanent");
    return { source: source.trim(), tags: optionalTexts(item, path, "tags") ?? [], ...(isPermanent !== undefined && { isPermanent }) };
  });
}
