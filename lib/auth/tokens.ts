import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";

export const TOKEN_PERMISSIONS = ["manage", "read"] as const;
export type TokenPermission = (typeof TOKEN_PERMISSIONS)[number];

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
  db: Db;
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
  if (options.secret.length === 0 || options.secret.length > 200) return null;
  const token = await options.db.token.findUnique({
    where: { secretHash: hashSecret(options.secret) },
    include: { project: { select: { name: true } } },
  });
  if (!token || token.revokedAt) return null;
  return toAuthContext(token);
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
