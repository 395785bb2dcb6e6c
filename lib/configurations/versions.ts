import "server-only";
// Keboola's configuration versions: GET …/configs/{id}/versions, GET …/versions/{version},
// POST …/versions/{version}/rollback and POST …/versions/{version}/create (a copy).
import { checkParameters } from "@/lib/components/parameters-schema";
import { findConfiguration, insertConfiguration } from "@/lib/configurations/configurations";
import { type Actor, ensureCurrentVersion, saveVersion, type VersionRow } from "@/lib/configurations/save";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { ConfigurationVersion } from "@/lib/generated/prisma/client";
import { maskSecrets } from "@/lib/secrets/secrets";
import type { ConfigurationVersionJson, ConfigurationVersionSummary } from "@/lib/schemas/configurations";
import { toConfigurationJson } from "@/lib/configurations/configurations";

type Address = { db: Db; projectId: number; componentId: string; configId: string };

function toSummary(v: ConfigurationVersion): ConfigurationVersionSummary {
  return {
    version: v.version,
    created: v.createdAt.toISOString(),
    creatorToken: { id: v.creatorTokenId === null ? null : String(v.creatorTokenId), description: v.creatorDescription },
    changeDescription: v.changeDescription,
    isDeleted: false,
    name: v.name,
    description: v.description,
    isDisabled: v.isDisabled,
  };
}

function toVersionJson(v: ConfigurationVersion): ConfigurationVersionJson {
  const rows = (v.rows as VersionRow[] | null) ?? [];
  return {
    ...toSummary(v),
    configuration: maskSecrets((v.configuration as Record<string, unknown>) ?? {}),
    rows: rows.map((r) => ({ ...r, configuration: maskSecrets(r.configuration ?? {}) })),
  };
}

/** Newest first, as Keboola lists them. */
export async function listVersions(options: Address & { limit: number; offset: number }): Promise<ConfigurationVersionSummary[]> {
  const config = await findConfiguration(options.db, options.projectId, options.componentId, options.configId);
  await ensureCurrentVersion(options.db, config);
  const versions = await options.db.configurationVersion.findMany({
    where: { configurationPk: config.pk },
    orderBy: { version: "desc" },
    take: options.limit,
    skip: options.offset,
  });
  return versions.map(toSummary);
}

async function findVersion(options: Address & { version: string }) {
  const config = await findConfiguration(options.db, options.projectId, options.componentId, options.configId);
  await ensureCurrentVersion(options.db, config);
  const number = /^\d{1,9}$/.test(options.version) ? Number(options.version) : NaN;
  const found = Number.isNaN(number)
    ? null
    : await options.db.configurationVersion.findUnique({ where: { configurationPk_version: { configurationPk: config.pk, version: number } } });
  if (!found) {
    throw notFound(`Version "${options.version.slice(0, 20)}" of configuration "${config.configId}" (its versions are 1–${config.version})`);
  }
  return { config, found };
}

export async function getVersion(options: Address & { version: string }): Promise<ConfigurationVersionJson> {
  return toVersionJson((await findVersion(options)).found);
}

/**
 * Makes the configuration what `version` was (name, description, configuration, enabled, rows
 * with their ids and order), as a new version. Row state (out/state.json) is the rows' own and stays.
 */
export async function rollbackToVersion(options: Address & { version: string; expectedVersion?: number; changeDescription?: string; actor?: Actor }) {
  const { config, found } = await findVersion(options);
  const rows = (found.rows as VersionRow[] | null) ?? [];
  await checkParameters({ db: options.db, projectId: options.projectId, componentId: options.componentId, parameters: (found.configuration as Record<string, unknown> | null)?.parameters });
  const saved = await saveVersion({
    db: options.db,
    config,
    expectedVersion: options.expectedVersion,
    data: { name: found.name, description: found.description, configuration: (found.configuration ?? {}) as object, isDisabled: found.isDisabled },
    change: async (tx) => {
      const keep = new Set(rows.map((r) => r.id));
      await tx.configurationRow.deleteMany({ where: { configurationPk: config.pk, rowId: { notIn: [...keep] } } });
      for (const [index, r] of rows.entries()) {
        const data = { name: r.name, configuration: r.configuration as object, isDisabled: r.isDisabled, sortOrder: index };
        await tx.configurationRow.upsert({
          where: { configurationPk_rowId: { configurationPk: config.pk, rowId: r.id } },
          create: { configurationPk: config.pk, rowId: r.id, ...data },
          update: data,
        });
      }
    },
    changeDescription: options.changeDescription?.trim() || `Rollback to version ${found.version}`,
    actor: options.actor,
  });
  return toConfigurationJson(saved);
}

/** A new configuration made from a version (Keboola's copy), rows included, secrets as stored. */
export async function copyVersion(options: Address & { version: string; name: string; description?: string; changeDescription?: string; actor?: Actor }) {
  const { config, found } = await findVersion(options);
  return insertConfiguration({
    db: options.db,
    projectId: options.projectId,
    componentId: options.componentId,
    data: {
      name: options.name,
      description: options.description ?? found.description,
      configuration: (found.configuration as Record<string, unknown>) ?? {},
      isDisabled: found.isDisabled,
    },
    rows: (found.rows as VersionRow[] | null) ?? [],
    changeDescription: options.changeDescription?.trim() || `Copied from configuration "${config.name}" version ${found.version}`,
    actor: options.actor,
  });
}
