import "server-only";
import { findVisibleComponent, visibleComponentsWhere } from "@/lib/components/find-visible-component";
import { checkParameters, validateParameters } from "@/lib/components/parameters-schema";
import type { Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { encryptSecrets, maskSecrets } from "@/lib/secrets/secrets";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ConfigurationJson } from "@/lib/schemas/configurations";
import type { z } from "zod";
import type {
  createConfigurationSchema,
  createRowSchema,
  updateConfigurationSchema,
  updateRowSchema,
} from "@/lib/schemas/configurations";

// Configurations of a component, as Keboola's /v2/storage/components/{component}/configs has them.
// Only the default branch is addressed by these paths.
const BRANCH = "default";

const withRows = { rows: { orderBy: [{ sortOrder: "asc" }, { pk: "asc" }] } } satisfies Prisma.ConfigurationInclude;
type ConfigurationRow = Prisma.ConfigurationGetPayload<{ include: typeof withRows }>;

export function toConfigurationJson(c: ConfigurationRow): ConfigurationJson {
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

export async function listComponents(options: { db: Db; projectId: number }) {
  const components = await options.db.component.findMany({
    where: visibleComponentsWhere(options.projectId),
    orderBy: { id: "asc" },
    include: { configurations: { where: { projectId: options.projectId, branchId: BRANCH }, include: withRows, orderBy: { pk: "asc" } } },
  });
  return components.map((c) => ({
    id: c.id,
    name: c.name,
    type: c.type,
    description: c.description,
    configurations: c.configurations.map(toConfigurationJson),
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

async function findConfiguration(db: Db, projectId: number, componentId: string, configId: string) {
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId, componentId, branchId: BRANCH, configId } },
    include: withRows,
  });
  if (!config) throw notFound(`Configuration "${configId.slice(0, 100)}" of component "${componentId.slice(0, 200)}"`);
  return config;
}

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

export async function createConfiguration(options: {
  db: Db;
  projectId: number;
  componentId: string;
  input: z.output<typeof createConfigurationSchema>;
}) {
  const { db, projectId, componentId, input } = options;
  const component = await requireComponent(db, componentId, projectId);
  validateParameters({ schema: component.configurationSchema, parameters: input.configuration.parameters, path: "configuration.parameters" });
  const configId = input.configurationId ?? (await nextNumericId(db, projectId));
  try {
    const created = await db.configuration.create({
      data: {
        projectId,
        componentId,
        branchId: BRANCH,
        configId,
        name: input.name,
        description: input.description,
        configuration: encryptSecrets(input.configuration, { projectId }) as object,
        isDisabled: input.isDisabled,
      },
      include: withRows,
    });
    return toConfigurationJson(created);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new ApiError(409, "configurationExists", `Configuration "${configId}" already exists.`, "configurationId");
    }
    throw error;
  }
}

export async function updateConfiguration(options: {
  db: Db;
  projectId: number;
  componentId: string;
  configId: string;
  input: z.output<typeof updateConfigurationSchema>;
}) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  if (input.configuration !== undefined) {
    await checkParameters({ db, projectId: options.projectId, componentId: options.componentId, parameters: input.configuration.parameters });
  }
  const updated = await db.configuration.update({
    where: { pk: config.pk },
    data: {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.configuration !== undefined && { configuration: encryptSecrets(input.configuration, { projectId: options.projectId, previous: config.configuration }) as object }),
      ...(input.isDisabled !== undefined && { isDisabled: input.isDisabled }),
      version: { increment: 1 },
    },
    include: withRows,
  });
  return toConfigurationJson(updated);
}

export async function createRow(options: {
  db: Db;
  projectId: number;
  componentId: string;
  configId: string;
  input: z.output<typeof createRowSchema>;
}) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const rowId = input.rowId ?? String(config.rows.reduce((max, r) => Math.max(max, Number(r.rowId) || 0), 0) + 1);
  if (config.rows.some((r) => r.rowId === rowId)) {
    throw new ApiError(409, "rowExists", `Row "${rowId}" already exists.`, "rowId");
  }
  await db.$transaction([
    db.configurationRow.create({
      data: {
        configurationPk: config.pk,
        rowId,
        name: input.name,
        configuration: encryptSecrets(input.configuration, { projectId: options.projectId }) as object,
        isDisabled: input.isDisabled,
        sortOrder: config.rows.length,
      },
    }),
    db.configuration.update({ where: { pk: config.pk }, data: { version: { increment: 1 } } }),
  ]);
  return getConfiguration(options);
}

export async function updateRow(options: {
  db: Db;
  projectId: number;
  componentId: string;
  configId: string;
  rowId: string;
  input: z.output<typeof updateRowSchema>;
}) {
  const { db, input } = options;
  const config = await findConfiguration(db, options.projectId, options.componentId, options.configId);
  const row = config.rows.find((r) => r.rowId === options.rowId);
  if (!row) throw notFound(`Row "${options.rowId.slice(0, 100)}" of configuration "${config.configId}"`);
  await db.$transaction([
    db.configurationRow.update({
      where: { pk: row.pk },
      data: {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.configuration !== undefined && { configuration: encryptSecrets(input.configuration, { projectId: options.projectId, previous: row.configuration }) as object }),
        ...(input.isDisabled !== undefined && { isDisabled: input.isDisabled }),
      },
    }),
    db.configuration.update({ where: { pk: config.pk }, data: { version: { increment: 1 } } }),
  ]);
  return getConfiguration(options);
}
