import { type NextRequest, NextResponse } from "next/server";
import { clientAddress, isSameOrigin, otherMethods, readJson, withAuth, withErrors } from "@/lib/api/handler";
import { deleteSession, SESSION_COOKIE } from "@/lib/auth/session";
import { signIn } from "@/lib/auth/sign-in";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ApiError, forbidden } from "@/lib/errors";
import { signInLimiter } from "@/lib/auth/rate-limit";
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
  const wait = signInLimiter.retryAfter(client);
  if (wait > 0) {
    throw new ApiError(429, "tooManyAttempts", `Too many failed sign-ins; try again in ${wait} seconds.`);
  }
  const credentials = await readJson(request, signInSchema);
  const session = await signIn({ db: db(), credentials, demoAllowed: env.demoSignIn }).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) signInLimiter.recordFailure(client);
    throw error;
  });
  signInLimiter.reset(client);
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
