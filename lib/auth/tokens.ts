import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { authenticateCaller } from "@/lib/auth/caller";
import type { Db, DbClient } from "@/lib/db";
import { notFound } from "@/lib/errors";

import type { TokenPermission } from "@/lib/auth/permissions";

export type { TokenPermission };

/** Who is calling: the token and the project it belongs to. */
export type AuthContext = {
  projectId: number;
  projectName: string;
  tokenId: number;
  tokenDescription: string;
  permission: TokenPermission;
};

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Keboola-like token: `<projectId>-<random>`; the random part carries 160 bits. */
export function newTokenSecret(projectId: number): string {
  return `${projectId}-${randomBytes(20).toString("hex")}`;
}

export async function createToken(options: {
  db: DbClient;
  projectId: number;
  description: string;
  permission?: TokenPermission;
  secret?: string;
}): Promise<{ id: number; secret: string }> {
  const secret = options.secret ?? newTokenSecret(options.projectId);
  const token = await options.db.token.create({
    data: {
      projectId: options.projectId,
      description: options.description,
      permission: options.permission ?? "manage",
      secretHash: hashSecret(secret),
    },
  });
  return { id: token.id, secret };
}

/** The token's context, or null when the secret is unknown or revoked. Looks up by hash only. */
export async function authenticateToken(options: { db: Db; secret: string }): Promise<AuthContext | null> {
  return (await authenticateCaller({ db: options.db, credential: { kind: "token", secret: options.secret } }))?.auth ?? null;
}

export function toAuthContext(token: {
  id: number;
  projectId: number;
  description: string;
  permission: string;
  project: { name: string };
}): AuthContext {
  return {
    projectId: token.projectId,
    projectName: token.project.name,
    tokenId: token.id,
    tokenDescription: token.description,
    permission: token.permission === "read" ? "read" : "manage",
  };
}

export async function listTokens(options: { db: Db; projectId: number }) {
  return options.db.token.findMany({ where: { projectId: options.projectId }, orderBy: { id: "asc" } });
}

/** Revokes a token of the project at once; its sessions end with it. Unknown or foreign ids are "not found". */
export async function revokeToken(options: { db: Db; projectId: number; id: string; now?: Date }) {
  const id = /^\d{1,9}$/.test(options.id) ? Number(options.id) : NaN;
  const token = Number.isNaN(id) ? null : await options.db.token.findFirst({ where: { id, projectId: options.projectId } });
  if (!token) throw notFound(`Token ${options.id.slice(0, 40)}`);
  const revoked = await options.db.token.update({ where: { id }, data: { revokedAt: token.revokedAt ?? options.now ?? new Date() } });
  await options.db.session.deleteMany({ where: { tokenId: id } });
  return revoked;
}

export function toTokenJson(token: { id: number; description: string; permission: string; createdAt: Date; revokedAt: Date | null }, secret?: string) {
  return {
    id: String(token.id),
    description: token.description,
    canManageJobs: token.permission === "manage",
    permission: token.permission === "read" ? ("read" as const) : ("manage" as const),
    created: token.createdAt.toISOString(),
    revoked: token.revokedAt?.toISOString() ?? null,
    ...(secret ? { token: secret } : {}),
  };
}
