import "server-only";
// The one way a configuration changes: a conditional bump of its version, the change, and a
// snapshot of the result as a new ConfigurationVersion, in one transaction.
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db, DbClient } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

export const withRows = { rows: { orderBy: [{ sortOrder: "asc" }, { pk: "asc" }] } } satisfies Prisma.ConfigurationInclude;
export type StoredConfiguration = Prisma.ConfigurationGetPayload<{ include: typeof withRows }>;

/** Who saved: recorded on the version as Keboola's creatorToken. */
export type Actor = Pick<AuthContext, "tokenId" | "tokenDescription">;

/** A row as a version keeps it (secrets still encrypted, as stored). */
export type VersionRow = { id: string; name: string; configuration: Record<string, unknown>; isDisabled: boolean };

export function snapshotRows(config: StoredConfiguration): VersionRow[] {
  return config.rows.map((r) => ({ id: r.rowId, name: r.name, configuration: (r.configuration as Record<string, unknown>) ?? {}, isDisabled: r.isDisabled }));
}

function versionData(config: StoredConfiguration, changeDescription: string, actor: Actor | undefined, now: Date): Prisma.ConfigurationVersionCreateManyInput {
  return {
    configurationPk: config.pk,
    version: config.version,
    name: config.name,
    description: config.description,
    configuration: (config.configuration ?? {}) as object,
    isDisabled: config.isDisabled,
    rows: snapshotRows(config) as object,
    changeDescription,
    creatorTokenId: actor?.tokenId ?? null,
    creatorDescription: actor?.tokenDescription ?? "",
    createdAt: now,
  };
}

/**
 * A configuration written before versions were kept (the seed, tests, an older database) has no
 * version for its current state: record it once, so that history and rollback start from it.
 */
export async function ensureCurrentVersion(db: DbClient, config: StoredConfiguration): Promise<void> {
  await db.configurationVersion.createMany({
    data: [versionData(config, "", undefined, config.updatedAt)],
    skipDuplicates: true,
  });
}

/** The first version of a configuration just created. */
export async function recordFirstVersion(db: DbClient, config: StoredConfiguration, changeDescription: string, actor?: Actor): Promise<void> {
  await db.configurationVersion.create({ data: versionData(config, changeDescription, actor, config.createdAt) });
}

export function versionConflict(config: { configId: string; version: number }, expected: number, by?: string): ApiError {
  const who = by ? ` by ${by}` : "";
  return new ApiError(
    409,
    "versionConflict",
    `Configuration "${config.configId}" was saved${who} as version ${config.version} after you loaded version ${expected}. ` +
      "Your change was not saved: reload to see the new version, then apply your change again.",
    "version",
  );
}

/**
 * Applies `data` (and `change`, for rows) to the configuration as a new version. With
 * `expectedVersion`, only when the stored version is still that one; otherwise a 409 that names the
 * newer version and who saved it, and nothing is written.
 */
export async function saveVersion(options: {
  db: Db;
  config: StoredConfiguration;
  expectedVersion?: number;
  data?: Omit<Prisma.ConfigurationUpdateManyMutationInput, "version">;
  change?: (tx: Prisma.TransactionClient) => Promise<void>;
  changeDescription: string;
  actor?: Actor;
}): Promise<StoredConfiguration> {
  const { db, config } = options;
  const now = new Date();
  return db.$transaction(async (tx) => {
    await ensureCurrentVersion(tx, config);
    const expected = options.expectedVersion;
    const bump = expected === undefined ? { version: { increment: 1 } } : { version: expected + 1 };
    const { count } = await tx.configuration.updateMany({
      where: { pk: config.pk, ...(expected !== undefined && { version: expected }) },
      data: { ...options.data, ...bump, updatedAt: now },
    });
    if (count === 0) {
      const current = await tx.configuration.findUnique({ where: { pk: config.pk }, select: { configId: true, version: true, pk: true } });
      if (!current) throw new ApiError(404, "notFound", `Configuration "${config.configId}" was deleted meanwhile.`);
      const last = await tx.configurationVersion.findUnique({
        where: { configurationPk_version: { configurationPk: current.pk, version: current.version } },
        select: { creatorDescription: true },
      });
      throw versionConflict(current, expected!, last?.creatorDescription || undefined);
    }
    await options.change?.(tx);
    const saved = await tx.configuration.findUniqueOrThrow({ where: { pk: config.pk }, include: withRows });
    await tx.configurationVersion.create({ data: versionData(saved, options.changeDescription, options.actor, now) });
    return saved;
  });
}
