import "server-only";
// Keboola's metadata: key/value pairs a provider writes on a table, a column of it, or a
// configuration. Writing a key again (same object, column and provider) replaces its value.
import type { Db } from "@/lib/db";
import { invalidInput, notFound } from "@/lib/errors";
import type { Metadata } from "@/lib/generated/prisma/client";
import type { MetadataJson } from "@/lib/schemas/storage";
import { toMetadataJson } from "@/lib/storage/tables";

export type MetadataTarget = { tablePk: number; columns?: readonly string[] } | { configurationPk: number };
export type MetadataItem = { key: string; value: string; columnName?: string };

const targetWhere = (target: MetadataTarget) => ("tablePk" in target ? { tablePk: target.tablePk } : { configurationPk: target.configurationPk });

/** Writes the items in one transaction (the last of a repeated key wins) and returns them as stored. */
export async function writeMetadata(options: { db: Db; projectId: number; target: MetadataTarget; provider: string; items: MetadataItem[] }): Promise<Metadata[]> {
  const { target } = options;
  const byKey = new Map<string, MetadataItem>();
  for (const item of options.items) {
    if (item.columnName !== undefined) {
      if (!("tablePk" in target)) throw invalidInput("columnsMetadata: only a table has columns", "columnsMetadata");
      if (!target.columns?.includes(item.columnName)) throw invalidInput(`columnsMetadata: "${item.columnName.slice(0, 64)}" is not a column of the table`, "columnsMetadata");
    }
    byKey.set(JSON.stringify([item.columnName ?? null, item.key]), item);
  }
  const tablePk = "tablePk" in target ? target.tablePk : null;
  const configurationPk = "configurationPk" in target ? target.configurationPk : null;
  const now = new Date();
  const statements = [...byKey.values()].map(
    (item) => options.db.$queryRaw<Metadata[]>`
      INSERT INTO "Metadata" ("projectId", "tablePk", "columnName", "configurationPk", provider, key, value, timestamp)
      VALUES (${options.projectId}, ${tablePk}, ${item.columnName ?? null}, ${configurationPk}, ${options.provider}, ${item.key}, ${item.value}, ${now})
      ON CONFLICT (coalesce("tablePk", 0), coalesce("columnName", ''), coalesce("configurationPk", 0), provider, key)
      DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp
      RETURNING *`,
  );
  return (await options.db.$transaction(statements)).flat();
}

/** The object's own metadata (not its columns'), oldest first. */
export async function listMetadata(options: { db: Db; target: MetadataTarget }): Promise<MetadataJson[]> {
  const rows = await options.db.metadata.findMany({ where: { ...targetWhere(options.target), columnName: null }, orderBy: { id: "asc" } });
  return rows.map(toMetadataJson);
}

/** Deletes one entry of the object (its own or a column's); 404 for an id that is not the object's. */
export async function deleteMetadata(options: { db: Db; target: MetadataTarget; id: string }): Promise<void> {
  const id = /^\d{1,9}$/.test(options.id) ? Number(options.id) : null;
  const { count } = id === null ? { count: 0 } : await options.db.metadata.deleteMany({ where: { id, ...targetWhere(options.target) } });
  if (count === 0) throw notFound(`Metadata ${options.id.slice(0, 20)}`);
}

