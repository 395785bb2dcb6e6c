import "server-only";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { hashSecret } from "@/lib/auth/tokens";

export { SESSION_COOKIE } from "@/lib/auth/credentials";
export const SESSION_DAYS = 14;

/** Starts a dashboard session for a token; the cookie carries the random id, the database its hash. */
export async function createSession(options: { db: Db; tokenId: number; now?: Date }): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString("base64url");
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await options.db.session.create({ data: { idHash: hashSecret(id), tokenId: options.tokenId, expiresAt } });
  return { id, expiresAt };
}

export async function deleteSession(options: { db: Db; sessionId: string }): Promise<void> {
  await options.db.session.deleteMany({ where: { idHash: hashSecret(options.sessionId) } });
}
