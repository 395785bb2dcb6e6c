import "server-only";
import { listComponents } from "@/lib/configurations/configurations";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { componentsInclude } from "@/lib/queries/components";
import { VersionedStore } from "@/lib/versioned-store";

// The components answer the Jobs page prefetches (component names, their configurations with rows
// and state) changes far less often than a page is loaded. What was read is kept per project and
// origin under the version of what it is built from, computed in the query that reads the session
// (lib/queries/prefetch.ts), so on an unchanged project it costs no statement of its own.

/**
 * The version of a project's components answer, as SQL with `caller."projectId"` in scope: the
 * components it sees, and its configurations. Every change of a configuration stamps its
 * `updatedAt`: a save or a rollback, its rows' changes included, goes through saveVersion
 * (lib/configurations/save.ts), and a job's state write through Prisma's update. Each row's own
 * stamp is summed up, so two changes within one millisecond still move the version; a deletion
 * leaves the sum.
 */
export const projectComponentsVersionSql = Prisma.sql`concat_ws('/',
  (SELECT md5(string_agg(c.id || '.' || c."updatedAt"::text, ',' ORDER BY c.id)) FROM "Component" c
    WHERE c."projectId" IS NULL OR c."projectId" = caller."projectId"),
  (SELECT md5(string_agg(cf.pk::text || '.' || cf."updatedAt"::text, ',' ORDER BY cf.pk)) FROM "Configuration" cf
    WHERE cf."projectId" = caller."projectId"))`;

export type ComponentsAnswer = Awaited<ReturnType<typeof listComponents>>;

/** The kept answers: at most 64 projects and origins, and 16 million characters of their JSON. */
const kept = new VersionedStore<ComponentsAnswer>({ entries: 64, total: 16_000_000, largest: 4_000_000, sizeOf: (answer) => JSON.stringify(answer).length });

/**
 * The components answer as `/api/v2/storage/components?include=configuration,rows,state` gives it.
 * `version` is projectComponentsVersionSql's value as of now (null: unknown): while it is
 * unchanged, the answer read for it is returned again instead of being read.
 */
export async function componentsData(options: { db: Db; projectId: number; version: string | null; origin: string }): Promise<ComponentsAnswer> {
  const { db, projectId, version, origin } = options;
  return kept.read(JSON.stringify([projectId, origin]), version, () => listComponents({ db, projectId, origin, include: [...componentsInclude] }));
}
