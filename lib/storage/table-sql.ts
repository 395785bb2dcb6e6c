import "server-only";
// The SQL that touches the rows of Storage tables: one physical table per Storage table in the
// `storage` schema, every column text. Identifiers go through identifiers.ts (checked + quoted);
// values always travel as parameters.
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { quoteIdent, sqlLiteral, storageTableRef } from "@/lib/storage/identifiers";

/** The Prisma client or a transaction of it: both run raw SQL. */
export type Sql = Db | Prisma.TransactionClient;

const columnList = (columns: readonly string[]) => columns.map(quoteIdent).join(", ");
const stagingColumn = (index: number) => `c${index}`;

export async function createDataTable(sql: Sql, options: { sqlName: string; columns: readonly string[]; primaryKey: readonly string[] }) {
  const columns = options.columns.map((c) => `${quoteIdent(c)} text NOT NULL DEFAULT ''`);
  if (options.primaryKey.length > 0) columns.push(`PRIMARY KEY (${columnList(options.primaryKey)})`);
  await sql.$executeRawUnsafe(`CREATE TABLE ${storageTableRef(options.sqlName)} (${columns.join(", ")})`);
}

export async function dropDataTable(sql: Sql, sqlName: string) {
  await sql.$executeRawUnsafe(`DROP TABLE IF EXISTS ${storageTableRef(sqlName)}`);
}

/** A staging table: the CSV's line number and one text column per value, in the file's order. */
export async function createStagingTable(sql: Sql, options: { name: string; width: number }) {
  const columns = Array.from({ length: options.width }, (_, i) => `${stagingColumn(i)} text`);
  await sql.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${storageTableRef(options.name)} (_line bigint NOT NULL, ${columns.join(", ")})`);
}

/**
 * Appends records to a staging table in one statement. The batch travels as ONE JSON parameter
 * (`[[line, v0, v1, …], …]`, parsed once as jsonb), so batch size is not bound by PostgreSQL's 65,535 parameters and the
 * statement text stays the same for every batch.
 */
export async function insertStagingBatch(sql: Sql, options: { name: string; width: number; json: string }) {
  const values = Array.from({ length: options.width }, (_, i) => `e->>${i + 1}`);
  const target = Array.from({ length: options.width }, (_, i) => stagingColumn(i));
  await sql.$executeRawUnsafe(
    `INSERT INTO ${storageTableRef(options.name)} (_line, ${target.join(", ")}) SELECT (e->>0)::bigint, ${values.join(", ")} FROM jsonb_array_elements($1::jsonb) AS e`,
    options.json,
  );
}

/** The first primary-key value found twice in a staging table, with the two lines it is on. */
export async function findDuplicateKey(sql: Sql, options: { name: string; keyPositions: readonly number[] }) {
  const keys = options.keyPositions.map(stagingColumn);
  const rows = await sql.$queryRawUnsafe<{ lines: bigint[]; key: string }[]>(
    `SELECT (array_agg(_line ORDER BY _line))[1:2] AS lines, json_build_array(${keys.join(", ")})::text AS key
       FROM ${storageTableRef(options.name)} GROUP BY ${keys.join(", ")} HAVING count(*) > 1 ORDER BY min(_line) LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return null;
  return { firstLine: Number(row.lines[0]), line: Number(row.lines[1]), key: JSON.parse(row.key) as string[] };
}

export type MergeMode = "replace" | "append" | "upsert" | "insertNew" | "updateExisting";

/**
 * Moves a staging table's rows into a data table. `positions[i]` is the staging column that holds
 * the table's column `columns[i]`. Run it inside the transaction that makes the import visible.
 */
export async function mergeStaging(
  tx: Sql,
  options: { target: string; staging: string; columns: readonly string[]; positions: readonly number[]; primaryKey: readonly string[]; mode: MergeMode },
): Promise<number> {
  const target = storageTableRef(options.target);
  const staging = storageTableRef(options.staging);
  const source = options.positions.map(stagingColumn).join(", ");
  const insert = `INSERT INTO ${target} (${columnList(options.columns)}) SELECT ${source} FROM ${staging}`;
  const key = new Set(options.primaryKey);
  const others = options.columns.filter((c) => !key.has(c));
  switch (options.mode) {
    case "replace": {
      await tx.$executeRawUnsafe(`TRUNCATE ${target}`);
      if (options.primaryKey.length === 0) return tx.$executeRawUnsafe(insert);
      // Into an empty table, building the key once after the rows is much faster than keeping it
      // row by row (1 M rows: 1.5 + 0.9 s against 6 s). A key found twice fails the ADD (23505).
      const [key] = await tx.$queryRawUnsafe<{ name: string }[]>(
        `SELECT conname AS name FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`,
        target,
      );
      if (key) await tx.$executeRawUnsafe(`ALTER TABLE ${target} DROP CONSTRAINT ${quoteIdent(key.name)}`);
      const inserted = await tx.$executeRawUnsafe(insert);
      await addPrimaryKey(tx, { sqlName: options.target, primaryKey: options.primaryKey, ...(key && { constraint: key.name }) });
      return inserted;
    }
    case "append":
      return tx.$executeRawUnsafe(insert);
    case "insertNew":
      return tx.$executeRawUnsafe(`${insert} ON CONFLICT (${columnList(options.primaryKey)}) DO NOTHING`);
    case "upsert": {
      const update = others.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(", ");
      const onConflict = update ? `DO UPDATE SET ${update}` : "DO NOTHING";
      return tx.$executeRawUnsafe(`${insert} ON CONFLICT (${columnList(options.primaryKey)}) ${onConflict}`);
    }
    case "updateExisting": {
      if (others.length === 0) return 0;
      const at = (c: string) => stagingColumn(options.positions[options.columns.indexOf(c)]!);
      const set = others.map((c) => `${quoteIdent(c)} = s.${at(c)}`).join(", ");
      const match = options.primaryKey.map((c) => `t.${quoteIdent(c)} = s.${at(c)}`).join(" AND ");
      return tx.$executeRawUnsafe(`UPDATE ${target} AS t SET ${set} FROM ${staging} AS s WHERE ${match}`);
    }
  }
}

/** Adds a data table's primary key (built once over its rows); fails with 23505 when a key is there twice. */
export async function addPrimaryKey(sql: Sql, options: { sqlName: string; primaryKey: readonly string[]; constraint?: string }) {
  const name = options.constraint ? `CONSTRAINT ${quoteIdent(options.constraint)} ` : "";
  await sql.$executeRawUnsafe(`ALTER TABLE ${storageTableRef(options.sqlName)} ADD ${name}PRIMARY KEY (${columnList(options.primaryKey)})`);
}

/** Gives a table loaded under a staging name its data table's name (tableCreate, in the transaction that records it). */
export async function renameDataTable(sql: Sql, options: { from: string; to: string }) {
  storageTableRef(options.to);
  await sql.$executeRawUnsafe(`ALTER TABLE ${storageTableRef(options.from)} RENAME TO ${quoteIdent(options.to)}`);
}

/** Row count and bytes on disk of a data table. */
export async function tableStats(sql: Sql, sqlName: string): Promise<{ rows: bigint; bytes: bigint }> {
  const ref = storageTableRef(sqlName);
  const [row] = await sql.$queryRawUnsafe<{ rows: bigint; bytes: bigint }[]>(
    `SELECT (SELECT count(*) FROM ${ref}) AS rows, pg_total_relation_size($1::regclass) AS bytes`,
    ref,
  );
  return { rows: BigInt(row?.rows ?? 0), bytes: BigInt(row?.bytes ?? 0) };
}

/** Rows whose `column` is (eq) or is not (ne) one of `values`. */
export type ValuesFilter = { column: string; values: readonly string[]; operator: "eq" | "ne" };

/**
 * A copy of a data table's rows (an export reads a copy, so a concurrent import cannot tear it):
 * `columns` in that order, optionally only the rows `where` matches, at most `limit` of them
 * (in the order rows were written).
 */
export async function copyToStaging(sql: Sql, options: { source: string; name: string; columns: readonly string[]; where?: ValuesFilter; limit?: number }) {
  const select = options.columns.map((c, i) => `${quoteIdent(c)} AS ${stagingColumn(i)}`).join(", ");
  const from = `FROM ${storageTableRef(options.source)}`;
  const target = storageTableRef(options.name);
  if (!options.where && options.limit === undefined) {
    await sql.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${target} AS SELECT ${select} ${from}`);
    return;
  }
  // CREATE TABLE AS takes no parameters: create the shape, then fill it with a parameterised INSERT.
  await sql.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${target} AS SELECT ${select} ${from} WITH NO DATA`);
  const params: unknown[] = [];
  let where = "";
  if (options.where) {
    params.push(options.where.values);
    const match = `${quoteIdent(options.where.column)} = ANY($1::text[])`;
    where = ` WHERE ${options.where.operator === "eq" ? match : `NOT (${match})`}`;
  }
  const limit = options.limit === undefined ? "" : ` ORDER BY ctid LIMIT ${Math.max(0, Math.trunc(options.limit))}`;
  await sql.$executeRawUnsafe(`INSERT INTO ${target} SELECT ${select} ${from}${where}${limit}`, ...params);
}

/**
 * The SELECT an export's COPY runs: `columns` in that order, the rows `where` matches, at most
 * `limit` (in the order rows were written). COPY takes no parameters, so the filter's values are
 * literals here (sqlLiteral). `emptyAsNull`: '' becomes NULL, which COPY's CSV writes as nothing,
 * where it would write a non-null '' as `""`.
 */
export function exportSelectSql(options: { source: string; columns: readonly string[]; where?: ValuesFilter; limit?: number; emptyAsNull: boolean }): string {
  const select = options.columns.map((c) => (options.emptyAsNull ? `NULLIF(${quoteIdent(c)}, '') AS ${quoteIdent(c)}` : quoteIdent(c))).join(", ");
  let where = "";
  if (options.where) {
    const values = `ARRAY[${options.where.values.map(sqlLiteral).join(", ")}]::text[]`;
    const match = `${quoteIdent(options.where.column)} = ANY(${values})`;
    where = ` WHERE ${options.where.operator === "eq" ? match : `NOT (${match})`}`;
  }
  const limit = options.limit === undefined ? "" : ` ORDER BY ctid LIMIT ${Math.max(0, Math.trunc(options.limit))}`;
  return `SELECT ${select} FROM ${storageTableRef(options.source)}${where}${limit}`;
}

/** Heap pages of a table (about 8 kB each). */
export async function tableBlocks(sql: Sql, name: string): Promise<number> {
  const [size] = await sql.$queryRawUnsafe<{ blocks: bigint }[]>(
    `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint AS blocks`,
    storageTableRef(name),
  );
  return Number(size?.blocks ?? 0);
}

/**
 * The SELECT of one slice of a staging copy, `blocks` heap pages from `from`, in the order rows were
 * written. No ORDER BY: a TID range scan walks the pages in order (as a seq scan would, and on PGlite
 * no other scan runs to synchronise with), and the sort cost a third of a PGlite export.
 */
export function blockRangeSql(options: { name: string; width: number; from: number; blocks: number; emptyAsNull: boolean }): string {
  const columns = Array.from({ length: options.width }, (_, i) => (options.emptyAsNull ? `NULLIF(${stagingColumn(i)}, '')` : stagingColumn(i)));
  const range = `ctid >= '(${options.from},0)'::tid AND ctid < '(${options.from + options.blocks},0)'::tid`;
  return `SELECT ${columns.join(", ")} FROM ${storageTableRef(options.name)} WHERE ${range}`;
}

/**
 * Reads a staging copy in batches of `blocksPerBatch` heap pages (about 8 kB each), in the order rows
 * were written: a TID range scan reads just those pages, so every batch costs the same however big
 * the table, memory stays bounded by bytes, and no long transaction holds the database (the
 * embedded one would be locked for its whole length). The copy never changes while it is read.
 */
export async function* readStagingBatches(sql: Sql, options: { name: string; width: number; blocksPerBatch: number }): AsyncGenerator<string[][]> {
  const ref = storageTableRef(options.name);
  const columns = Array.from({ length: options.width }, (_, i) => stagingColumn(i));
  const [size] = await sql.$queryRawUnsafe<{ blocks: bigint }[]>(
    `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint AS blocks`,
    ref,
  );
  const blocks = Number(size?.blocks ?? 0);
  const fetchBlocks = (from: number): Promise<Record<string, string>[]> =>
    sql.$queryRawUnsafe<Record<string, string>[]>(
      `SELECT ${columns.join(", ")} FROM ${ref} WHERE ctid >= $1::tid AND ctid < $2::tid ORDER BY ctid`,
      `(${from},0)`,
      `(${from + options.blocksPerBatch},0)`,
    );
  // The next batch is fetched while the caller writes this one.
  let next = blocks > 0 ? fetchBlocks(0) : Promise.resolve([]);
  for (let from = 0; from < blocks; from += options.blocksPerBatch) {
    const rows = await next;
    next = from + options.blocksPerBatch < blocks ? fetchBlocks(from + options.blocksPerBatch) : Promise.resolve([]);
    next.catch(() => undefined);
    if (rows.length > 0) yield rows.map((row) => columns.map((c) => row[c] ?? ""));
  }
}

/** The first rows of a data table, in their columns' order. */
/** The first rows (in storage order) of the chosen columns, optionally those whose `where.column` is (not) one of the values. */
export async function previewRows(
  sql: Sql,
  options: { sqlName: string; columns: readonly string[]; limit: number; where?: { column: string; values: readonly string[]; operator: "eq" | "ne" } },
): Promise<string[][]> {
  const select = options.columns.map((c, i) => `${quoteIdent(c)} AS ${stagingColumn(i)}`).join(", ");
  const match = options.where && `${quoteIdent(options.where.column)} = ANY($1::text[])`;
  const where = options.where ? ` WHERE ${options.where.operator === "eq" ? match : `NOT (${match})`}` : "";
  const rows = await sql.$queryRawUnsafe<Record<string, string>[]>(
    `SELECT ${select} FROM ${storageTableRef(options.sqlName)}${where} ORDER BY ctid LIMIT ${Number(options.limit)}`,
    ...(options.where ? [options.where.values] : []),
  );
  return rows.map((row) => options.columns.map((_, i) => row[stagingColumn(i)] ?? ""));
}

export type RowFilter =
  | { kind: "values"; column: string; values: readonly string[]; operator: "eq" | "ne" }
  | { kind: "before"; column: string; before: Date }
  | { kind: "all" };

/** Deletes the rows a filter matches; returns how many. A timestamp column that holds a
 *  non-time value makes the statement fail, and nothing is deleted. */
export async function deleteRows(sql: Sql, options: { sqlName: string; filter: RowFilter }): Promise<number> {
  const ref = storageTableRef(options.sqlName);
  const { filter } = options;
  if (filter.kind === "all") return sql.$executeRawUnsafe(`DELETE FROM ${ref}`);
  if (filter.kind === "before") {
    return sql.$executeRawUnsafe(`DELETE FROM ${ref} WHERE NULLIF(${quoteIdent(filter.column)}, '')::timestamptz < $1::timestamptz`, filter.before.toISOString());
  }
  const match = `${quoteIdent(filter.column)} = ANY($1::text[])`;
  return sql.$executeRawUnsafe(`DELETE FROM ${ref} WHERE ${filter.operator === "eq" ? match : `NOT (${match})`}`, filter.values);
}
