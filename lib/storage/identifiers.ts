// Names of buckets, tables and columns, and the SQL identifiers made from them. Every identifier
// that reaches SQL is checked against a strict pattern here AND quoted by quoteIdent(): a name
// that could carry SQL never gets that far.

export const BUCKET_STAGES = ["in", "out"] as const;
export type BucketStage = (typeof BUCKET_STAGES)[number];

// Keboola's rules: letters, digits, underscores and dashes; columns may not start with an underscore.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,95}$/;
export const COLUMN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_]{0,63}$/;
export const BUCKET_ID_PATTERN = /^(in|out)\.c-([A-Za-z0-9][A-Za-z0-9_-]{0,95})$/;
export const TABLE_ID_PATTERN = /^(in|out)\.c-([A-Za-z0-9][A-Za-z0-9_-]{0,95})\.([A-Za-z0-9][A-Za-z0-9_-]{0,95})$/;
// The physical tables in the `storage` schema: `t<projectId>_<slug>_<8 hex>`, and staging tables
// `s<jobId>_<8 hex>`. The migration holds the same rule for StorageTable.sqlName as a CHECK.
export const SQL_NAME_PATTERN = /^t[0-9]+_[a-z0-9_]{1,40}_[a-f0-9]{8}$/;
export const STAGING_NAME_PATTERN = /^s[0-9]+_[a-f0-9]{8}$/;
export const STORAGE_SCHEMA = "storage";

export type ParsedTableId = { stage: BucketStage; bucketName: string; bucketId: string; name: string; tableId: string };

export function parseBucketId(bucketId: string): { stage: BucketStage; name: string } | null {
  const match = BUCKET_ID_PATTERN.exec(bucketId);
  return match ? { stage: match[1] as BucketStage, name: match[2]! } : null;
}

export function parseTableId(tableId: string): ParsedTableId | null {
  const match = TABLE_ID_PATTERN.exec(tableId);
  if (!match) return null;
  const [, stage, bucketName, name] = match as unknown as [string, BucketStage, string, string];
  return { stage, bucketName, bucketId: `${stage}.c-${bucketName}`, name, tableId };
}

export function bucketIdOf(stage: BucketStage, name: string): string {
  return `${stage}.c-${name}`;
}

/** The problem with a list of column names (a CSV header), or null when they are fine. */
export function columnNamesProblem(columns: readonly string[]): string | null {
  if (columns.length === 0) return "the header names no columns";
  if (columns.length > 1000) return `${columns.length} columns is more than the 1000 a table may have`;
  const seen = new Set<string>();
  for (const [index, column] of columns.entries()) {
    if (!COLUMN_PATTERN.test(column)) {
      return `column ${index + 1} "${column.slice(0, 70)}" is not a valid column name (letters, digits and underscores, not starting with an underscore, at most 64)`;
    }
    const key = column.toLowerCase();
    if (seen.has(key)) return `column "${column}" appears twice`;
    seen.add(key);
  }
  return null;
}

/** The problem with a primary key for these columns, or null. */
export function primaryKeyProblem(primaryKey: readonly string[], columns: readonly string[]): string | null {
  const known = new Set(columns);
  const missing = primaryKey.find((c) => !known.has(c));
  if (missing !== undefined) return `primary key column "${missing.slice(0, 70)}" is not a column of the table`;
  if (new Set(primaryKey).size !== primaryKey.length) return "the primary key names a column twice";
  return null;
}

/** Quotes a checked identifier; refuses anything the patterns above would not produce. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new Error(`Refusing to use "${name.slice(0, 70)}" as an SQL identifier`);
  return `"${name}"`;
}

/** `storage."<name>"` for a physical or staging table, checked. */
export function storageTableRef(sqlName: string): string {
  if (!SQL_NAME_PATTERN.test(sqlName) && !STAGING_NAME_PATTERN.test(sqlName)) {
    throw new Error(`Refusing to use "${sqlName.slice(0, 70)}" as a storage table name`);
  }
  return `${STORAGE_SCHEMA}.${quoteIdent(sqlName)}`;
}

/** A fresh physical name for a table: readable, unique, and within PostgreSQL's 63 bytes. */
export function newSqlName(projectId: number, tableId: ParsedTableId, random: string = randomHex()): string {
  const slug = `${tableId.stage}_${tableId.bucketName}_${tableId.name}`.toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 40).replace(/_+$/, "");
  const name = `t${projectId}_${slug || "table"}_${random}`;
  if (!SQL_NAME_PATTERN.test(name)) throw new Error(`Generated an invalid table name ${name}`);
  return name;
}

// Web Crypto, so that this module also loads in the browser (the schemas import its patterns).
function randomHex(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function newStagingName(jobId: bigint, random: string = randomHex()): string {
  return `s${jobId}_${random}`;
}

/** A SQL string literal (COPY takes no bind parameters). Backslashes make it an E'' literal, as pg's escapeLiteral does. */
export function sqlLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes("\\") ? `E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}
