import "server-only";
import { findVisibleComponent, visibleComponentsWhere } from "@/lib/components/find-visible-component";
import { checkParameters, validateParameters } from "@/lib/components/parameters-schema";
import { type Actor, recordFirstVersion, saveVersion, type StoredConfiguration, withRows } from "@/lib/configurations/save";
import type { Db } from "@/lib/db";
import { ApiError, invalidInput, notFound } from "@/lib/errors";
import { encryptSecrets, maskSecrets } from "@/lib/secrets/secrets";
import type { ConfigurationJson } from "@/lib/schemas/configurations";
import type { z } from "zod";
import type {
  createConfigurationSchema,
  createRowSchema,
  sortRowsSchema,
  updateConfigurationSchema,
  updateRowSchema,
  versionActionSchema,
} from "@/lib/schemas/configurations";

// Configurations of a component, as Keboola's /v2/storage/components/{component}/configs has them.
// Only the default branch is addressed by these paths. Every change is saved as a version
// (save.ts); versions.ts reads them and rolls back.
export const BRANCH = "default";

export function toConfigurationJson(c: StoredConfiguration): ConfigurationJson {
  return {
    id: c.configId,
    componentId: c.componentId,
    branchId: c.branchId,
    name: c.name,
    description: c.description,
    created: c.createdAt.toISOString(),
    updated: c.updatedAt.toISOString(),
    version: c.version,
    isDisabled: c.isDisabled,
    configuration: maskSecrets((c.configuration as Record<string, unknown>) ?? {}),
    state: (c.state as Record<string, unknown> | null) ?? {},
    rows: c.rows.map((r) => ({
      id: r.rowId,
      name: r.name,
      configuration: maskSecrets((r.configuration as Record<string, unknown>) ?? {}),
      isDisabled: r.isDisabled,
    })),
  };
}

// Another project's process component is as unknown here as one that does not exist.
async function requireComponent(db: Db, componentId: string, projectId: number) {
  const component = await findVisibleComponent({ db, projectId, componentId });
  if (!component) throw notFound(`Component "${componentId.slice(0, 200)}"`);
  return component;
}

/**
 * The components the project sees, each with its configurations as Keboola lists them: id, name and
 * description (and the rest of the configuration), plus `configuration`, `rows`, `state` only when
 * `include` names them.
 */
export async function listComponents(options: { db: Db; projectId: number; origin?: string; include?: ("configuration" | "rows" | "state")[]; type?: string }) {
  const include = new Set(options.include ?? []);
  const components = await options.db.component.findMany({
    where: { ...visibleComponentsWhere(options.projectId), ...(options.type && { type: options.type }) },
    orderBy: { id: "asc" },
    include: { configurations: { where: { projectId: options.projectId, branchId: BRANCH }, include: withRows, orderBy: { pk: "asc" } } },
  });
  return components.map((c) => ({
    id: c.id,
    name: c.name,
    type: c.type,
    description: c.description,
    uri: `${options.origin ?? ""}/api/v2/storage/components/${c.id}`,
    configurations: c.configurations.map((row) => {
      const { configuration, rows, state, ...rest } = toConfigurationJson(row);
      return { ...rest, ...(include.has("configuration") && { configuration }), ...(include.has("rows") && { rows }), ...(include.has("state") && { state }) };
    }),
  }));
}

export async function listConfigurations(options: { db: Db; projectId: number; componentId: string }) {
  await requireComponent(options.db, options.componentId, options.projectId);
  const configs = await options.db.configuration.findMany({
    where: { projectId: options.projectId, componentId: options.componentId, branchId: BRANCH },
    include: withRows,
    orderBy: { pk: "asc" },
  });
  return configs.map(toConfigurationJson);
}

export async function findConfiguration(db: Db, projectId: number, componentId: string, configId: string): Promise<StoredConfiguration> {
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId, componentId, branchId: BRANCH, configId } },
    include: withRows,
  });
  if (!config) throw notFound(`Configuration "${configId.slice(0, 100)}" of component "${componentId.slice(0, 200)}"`);
  return config;
}

type ConfigAddress = { db: Db; projectId: number; componentId: string; configId: string; actor?: Actor };

export async function getConfiguration(options: { db: Db; projectId: number; componentId: string; configId: string }) {
  return toConfigurationJson(await findConfiguration(options.db, options.projectId, options.componentId, options.configId));
}

/** Keboola hands out numeric configuration ids; ours continue from the project's highest. */
async function nextNumericId(db: Db, projectId: number): Promise<string> {
  const [row] = await db.$queryRaw<[{ next: bigint }]>`
    SELECT coalesce(max("configId"::bigint), 0) + 1 AS next FROM "Configuration"
    WHERE "projectId" = ${projectId} AND "configId" ~ '^[0-9]{1,15}$'`;
  return row.next.toString();
}

/** Creates a configuration (with rows, for a copy) as version 1. */
export async function insertConfiguration(options: {
  db: Db;
  projectId: number;
  componentId: string;
  configId?: string;
  data: { name: string; description: string; configuration: Record<string, unknown>; isDisabled: boolean; state?: Record<string, unknown> };
  rows?: { id: string; name: string; configuration: Record<string, unknown>; isDisabled: boolean }[];
  changeDescription: string;
  actor?: Actor;
}): Promise<ConfigurationJson> {
  const { db, projectId, componentId } = options;
  const configId = options.configId ?? (await nextNumericId(db, projectId));
  try {
    const created = await db.$transaction(async (tx) => {
      const created = await tx.configuration.create({
        data: {
          projectId,
          componentId,
          branchId: BRANCH,
          configId,
          ...options.data,
          configuration: options.data.configuration as object,
          state: options.data.state as object | undefined,
          rows: { create: (options.rows ?? []).map((r, i) => ({ rowId: r.id, name: r.name, configuration: r.configuration as object, isDisabled: r.isDisabled, sortOrder: i })) },
        },
        include: withRows,
      });
      await recordFirstVersion(tx, created, options.changeDescription, options.actor);
      return created;
    });
    return toConfigurationJson(created);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new ApiError(409, "configurationExists", `Configuration "${configId}" already exists.`, "configurationId");
    }
    throw error;
  }
}

export async function createConfiguration(options: {
  db: Db;
  projectId: number;
  componentId: string;
  input: z.output<typeof createConfigurationSchema>;
  actor?: Actor;
}) {
  const { db, projectId, componentId, input } = options;
  const component = await requireComponent(db, componentId, projectId);
  validateParameters({ schema: component.configurationSchema, parameters: input.configuration.parameters, path: "configuration.parameters" });
  return insertConfiguration({
    db,
    projectId,
    componentId,
    configId: input.configurationId,
    data: { name: input.name, description: input.description, configuration: encryptSecrets(input.configuration, { projectId }), isDisabled: input.isDisabled, ...(input.state !== undefined && { state: input.state }) },
    changeDescription: input.changeDescription ?? "Configuration created",
    actor: options.actor,
  });
}

/** A change description people read when the client gave none. */
function describeChange(input: { name?: unknown; description?: unknown; configuration?: unknown; isDisabled?: boolean }): string {
  if (input.isDisabled !== undefined && input.configuration === undefined) return input.isDisabled ? "Configuration disabled" : "Configuration enabled";
  if (input.configuration !== undefined) return "Configuration edited";
  return input.name !== undefined ? "Configuration renamed" : "Description changed";
}

export async function updateConfiguration(options: ConfigAddress & { input: z.output<typeof updateConfigurationSchema> }) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  if (input.configuration !== undefined) {
    await checkParameters({ db, projectId: options.projectId, componentId: options.componentId, parameters: input.configuration.parameters });
  }
  const saved = await saveVersion({
    db,
    config,
    expectedVersion: input.version,
    data: {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.configuration !== undefined && { configuration: encryptSecrets(input.configuration, { projectId: options.projectId, previous: config.configuration }) as object }),
      ...(input.isDisabled !== undefined && { isDisabled: input.isDisabled }),
      ...(input.state !== undefined && { state: input.state as object }),
    },
    changeDescription: input.changeDescription?.trim() || describeChange(input),
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}

export async function deleteConfiguration(options: ConfigAddress): Promise<void> {
  const config = await findConfiguration(options.db, options.projectId, options.componentId, options.configId);
  await options.db.configuration.delete({ where: { pk: config.pk } });
}

/** The configuration's primary key (for its metadata), or a 404. */
export async function configurationPk(options: { db: Db; projectId: number; componentId: string; configId: string }): Promise<number> {
  return (await findConfiguration(options.db, options.projectId, options.componentId, options.configId)).pk;
}

function requireRow(config: StoredConfiguration, rowId: string) {
  const row = config.rows.find((r) => r.rowId === rowId);
  if (!row) throw notFound(`Row "${rowId.slice(0, 100)}" of configuration "${config.configId}"`);
  return row;
}

export async function createRow(options: ConfigAddress & { input: z.output<typeof createRowSchema> }) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const rowId = input.rowId ?? String(config.rows.reduce((max, r) => Math.max(max, Number(r.rowId) || 0), 0) + 1);
  if (config.rows.some((r) => r.rowId === rowId)) {
    throw new ApiError(409, "rowExists", `Row "${rowId}" already exists.`, "rowId");
  }
  const saved = await saveVersion({
    db,
    config,
    expectedVersion: input.version,
    change: async (tx) => {
      await tx.configurationRow.create({
        data: {
          configurationPk: config.pk,
          rowId,
          name: input.name,
          configuration: encryptSecrets(input.configuration, { projectId: options.projectId }) as object,
          isDisabled: input.isDisabled,
          sortOrder: config.rows.length,
        },
      });
    },
    changeDescription: input.changeDescription?.trim() || `Row "${input.name}" added`,
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}

export async function updateRow(options: ConfigAddress & { rowId: string; input: z.output<typeof updateRowSchema> }) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const row = requireRow(config, options.rowId);
  const what = input.configuration !== undefined ? "edited" : input.isDisabled !== undefined ? (input.isDisabled ? "disabled" : "enabled") : "renamed";
  const saved = await saveVersion({
    db,
    config,
    expectedVersion: input.version,
    change: async (tx) => {
      await tx.configurationRow.update({
        where: { pk: row.pk },
        data: {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.configuration !== undefined && { configuration: encryptSecrets(input.configuration, { projectId: options.projectId, previous: row.configuration }) as object }),
          ...(input.isDisabled !== undefined && { isDisabled: input.isDisabled }),
        },
      });
    },
    changeDescription: input.changeDescription?.trim() || `Row "${input.name ?? row.name}" ${what}`,
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}

export async function deleteRow(options: ConfigAddress & { rowId: string; input: z.output<typeof versionActionSchema> }) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const row = requireRow(config, options.rowId);
  const saved = await saveVersion({
    db,
    config,
    expectedVersion: input.version,
    change: async (tx) => void (await tx.configurationRow.delete({ where: { pk: row.pk } })),
    changeDescription: input.changeDescription?.trim() || `Row "${row.name}" deleted`,
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}

/** Keboola's rows-sort: the order must name every row exactly once. */
export async function sortRows(options: ConfigAddress & { input: z.output<typeof sortRowsSchema> }) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const order = input.rowsSortOrder;
  const known = new Set(config.rows.map((r) => r.rowId));
  const unknown = order.find((id) => !known.has(id));
  if (unknown !== undefined) throw invalidInput(`rowsSortOrder: row "${unknown.slice(0, 100)}" does not exist in configuration "${config.configId}"`, "rowsSortOrder");
  if (new Set(order).size !== order.length || order.length !== known.size) {
    throw invalidInput(`rowsSortOrder: must name each of the ${known.size} rows exactly once`, "rowsSortOrder");
  }
  const saved = await saveVersion({
    db,
    config,
    expectedVersion: input.version,
    change: async (tx) => {
      for (const [index, rowId] of order.entries()) {
        await tx.configurationRow.updateMany({ where: { configurationPk: config.pk, rowId }, data: { sortOrder: index } });
      }
    },
    changeDescription: input.changeDescription?.trim() || "Rows reordered",
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}
