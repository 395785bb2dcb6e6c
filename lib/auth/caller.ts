import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { type AuthContext, hashSecret, toAuthContext } from "@/lib/auth/tokens";

/** What a request shows: a Storage token (header) or a dashboard session (cookie). */
export type Credential = { kind: "token"; secret: string } | { kind: "session"; sessionId: string };

type CallerRow = {
  tokenId: number;
  projectId: number;
  description: string;
  permission: string;
  projectName: string;
  expiresAt: Date | null;
  extra: string | null;
  root: string | null;
};

/** The caller, and what the query computed besides: `extra`, `root`, and when the credential expires (null: when revoked). */
export type FoundCaller = { auth: AuthContext; extra: string | null; root: string | null; expiresAt: Date | null };

/**
 * The caller a credential stands for, read fresh from the database on every request (a revoked
 * token or an ended session is refused at once), optionally with one more value computed in the
 * same query: `extra` is an SQL expression that may use `caller."projectId"` (a version tag, say),
 * so an unchanged poll costs one round trip in all; `root` likewise (the root run an answer rests
 * on, for the poll cache). Null: no such caller.
 */
export async function authenticateCaller(options: {
  db: Db;
  credential: Credential;
  extra?: Prisma.Sql;
  root?: Prisma.Sql;
  now?: Date;
}): Promise<FoundCaller | null> {
  const caller = callerSql(options.credential, options.now ?? new Date());
  if (!caller) return null;
  const [row] = await options.db.$queryRaw<CallerRow[]>`
    WITH caller AS (${caller})
    SELECT caller.*, (${options.extra ?? Prisma.sql`NULL`})::text AS extra, (${options.root ?? Prisma.sql`NULL`})::text AS root FROM caller`;
  if (!row) return null;
  return {
    auth: toAuthContext({ id: row.tokenId, projectId: row.projectId, description: row.description, permission: row.permission, project: { name: row.projectName } }),
    extra: row.extra,
    root: row.root,
    expiresAt: row.expiresAt,
  };
}

/** One row (token, its project) while the credential is valid; looked up by hash only. */
function callerSql(credential: Credential, now: Date): Prisma.Sql | null {
  const columns = (expiresAt: Prisma.Sql) => Prisma.sql`t.id AS "tokenId", t."projectId", t.description, t.permission, p.name AS "projectName", ${expiresAt} AS "expiresAt"`;
  if (credential.kind === "token") {
    const secret = credential.secret;
    if (secret.length === 0 || secret.length > 200) return null;
    return Prisma.sql`SELECT ${columns(Prisma.sql`NULL::timestamp(3)`)} FROM "Token" t JOIN "Project" p ON p.id = t."projectId"
      WHERE t."secretHash" = ${hashSecret(secret)} AND t."revokedAt" IS NULL`;
  }
  const id = credential.sessionId;
  if (id.length === 0 || id.length > 100) return null;
  return Prisma.sql`SELECT ${columns(Prisma.sql`s."expiresAt"`)} FROM "Session" s JOIN "Token" t ON t.id = s."tokenId" JOIN "Project" p ON p.id = t."projectId"
    WHERE s."idHash" = ${hashSecret(id)} AND s."expiresAt" > ${now} AND t."revokedAt" IS NULL`;
}
