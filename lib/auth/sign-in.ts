import "server-only";
import { createSession } from "@/lib/auth/session";
import { type AuthContext, authenticateToken } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { forbidden, unauthorized } from "@/lib/errors";

/** Signs a browser in with a Storage token, or, where allowed, straight into the demo project. */
export async function signIn(options: {
  db: Db;
  credentials: { token: string } | { demo: true };
  demoAllowed: boolean;
}): Promise<{ sessionId: string; expiresAt: Date; auth: AuthContext }> {
  const { db, credentials } = options;
  let auth: AuthContext | null;
  if ("token" in credentials) {
    auth = await authenticateToken({ db, secret: credentials.token.trim() });
    if (!auth) throw unauthorized("That token is not valid or has been revoked.");
  } else {
    if (!options.demoAllowed) throw forbidden("Demo sign-in is turned off on this server.");
    const token = await db.token.findFirst({
      where: { project: { isDemo: true }, revokedAt: null, permission: "manage" },
      orderBy: { id: "asc" },
      include: { project: { select: { name: true } } },
    });
    if (!token) throw forbidden("There is no demo project on this server.");
    auth = {
      projectId: token.projectId,
      projectName: token.project.name,
      tokenId: token.id,
      tokenDescription: token.description,
      permission: "manage",
    };
  }
  const session = await createSession({ db, tokenId: auth.tokenId });
  return { sessionId: session.id, expiresAt: session.expiresAt, auth };
}
