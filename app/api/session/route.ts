import { type NextRequest, NextResponse } from "next/server";
import { clientAddress, isSameOrigin, otherMethods, readJson, withAuth, withErrors } from "@/lib/api/handler";
import { deleteSession, SESSION_COOKIE } from "@/lib/auth/session";
import { signIn } from "@/lib/auth/sign-in";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ApiError, forbidden, TooManyRequestsError } from "@/lib/errors";
import { limitKeys, signInLimiter } from "@/lib/auth/rate-limit";
import { isLoopback } from "@/lib/net/client-address";
import { type SessionJson, signInSchema } from "@/lib/schemas/session";

function sessionJson(auth: AuthContext): SessionJson {
  return {
    project: { id: String(auth.projectId), name: auth.projectName },
    token: { id: String(auth.tokenId), description: auth.tokenDescription, canManageJobs: auth.permission === "manage" },
  };
}

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) => NextResponse.json(sessionJson(auth)));

export const POST = withErrors(async (request: NextRequest) => {
  if (!isSameOrigin(request)) throw forbidden("Sign in from the Jobdeck dashboard.");
  const client = clientAddress(request);
  const credentials = await readJson(request, signInSchema);
  const keys = limitKeys({ client, token: "token" in credentials ? credentials.token : null });
  // The demo needs no secret: only for this machine, unless the operator opened it (JOBDECK_DEMO_SIGNIN=1).
  const demoAllowed = env.demoSignIn && (env.demoSignInAnywhere || client === "local" || isLoopback(client));
  // A valid token signs in whatever failed before it; a wrong one past the limit waits (a backoff per
  // client and per token prefix, never for everyone).
  const session = await signIn({ db: db(), credentials, demoAllowed }).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) {
      signInLimiter.recordFailure(keys);
      const wait = signInLimiter.retryAfter(keys);
      if (wait > 0) throw new TooManyRequestsError("tooManyAttempts", `Too many failed sign-ins; try again in ${wait} seconds.`, wait);
    }
    throw error;
  });
  signInLimiter.reset([`client:${client}`]);
  const response = NextResponse.json(sessionJson(session.auth));
  response.cookies.set(SESSION_COOKIE, session.sessionId, {
    httpOnly: true,
    sameSite: "strict",
    secure: request.nextUrl.protocol === "https:",
    path: "/",
    expires: session.expiresAt,
  });
  return response;
});

export const DELETE = withErrors(async (request: NextRequest) => {
  const sessionId = request.cookies.get(SESSION_COOKIE)?.value;
  if (sessionId) await deleteSession({ db: db(), sessionId });
  const response = new NextResponse(null, { status: 204 });
  response.cookies.delete(SESSION_COOKIE);
  return response;
});

export const { PUT, PATCH } = otherMethods(["GET", "POST", "DELETE"]);
