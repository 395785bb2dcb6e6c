import "server-only";
import { type NextRequest, NextResponse } from "next/server";
import { z } from "zod";
import { type Answer, knownEtag, matchesIfNoneMatch, notModified, sharedAnswer, toResponse } from "@/lib/api/conditional";
import { answerKey, callerKey, originOf, pollCache, revalidatedHeaders, scopes } from "@/lib/api/poll-cache";
import { authenticateCaller, type Credential, type FoundCaller } from "@/lib/auth/caller";
import { apiAuthLimiter, limitKeys } from "@/lib/auth/rate-limit";
import type { AuthContext } from "@/lib/auth/tokens";
import { SESSION_COOKIE, TOKEN_HEADER } from "@/lib/auth/credentials";
import { db, isDatabaseUnavailable, prismaErrorCode } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { type AnswerScope, type Versioned, versionQuery } from "@/lib/jobs/job-version";
import { ApiError, badRequest, forbidden, invalidInput, TooManyRequestsError, unauthorized } from "@/lib/errors";
import { CLIENT_ADDRESS_HEADER } from "@/lib/net/client-address";
import { FormFieldError, formToObject } from "@/lib/api/form-fields";
import { BRANCH_HEADER, checkBranch } from "@/lib/storage/branches";

export { TOKEN_HEADER } from "@/lib/auth/credentials";
export const MAX_JSON_BODY_BYTES = 1_000_000;
export const MAX_JSON_DEPTH = 64;

type RouteParams = Record<string, string | string[] | undefined>;
export type HandlerContext<P extends RouteParams> = { auth: AuthContext; params: P; origin: string };
type Handler<P extends RouteParams> = (request: NextRequest, ctx: HandlerContext<P>) => Promise<Response>;

/**
 * A GET's version (lib/jobs/job-version.ts): an SQL text expression that changes whenever the
 * answer may, computed in the same query as the caller (`caller."projectId"` is in scope; NULL when
 * there is nothing to version: an unknown job, which the handler answers 404), or "answer": a
 * digest of the answer itself. Its scope says which changes make the poll cache forget it.
 */
type VersionOf<P extends RouteParams> = (ctx: { request: NextRequest; params: P }) => Versioned;

/**
 * The one wrapper every API route goes through: authenticates the token (header) or the
 * dashboard session (cookie), checks the permission, and maps every error to JSON.
 *
 * With `versioned`, a GET is conditional: one query reads the caller and the version; an
 * If-None-Match naming the resulting ETag is answered 304 before the handler runs, and otherwise
 * the handler's answer (built once per version, shared by everyone who polls the same URL of the
 * same project) goes out with the ETag, for the browser to send back on its next poll. Either way
 * the poll cache remembers the ETag, so that the server answers the next unchanged poll itself.
 */
export function withAuth<P extends RouteParams = Record<string, never>>(
  options: { permission: "read" | "manage"; versioned?: VersionOf<P> },
  handler: Handler<P>,
) {
  return async (request: NextRequest, routeCtx: { params: Promise<P> }): Promise<Response> => {
    const cache = pollCache();
    const start = cache.begin();
    try {
      const params = await routeCtx.params;
      // A parameter no database can hold never reaches the version query; it answers 404 below.
      const versioned = request.method === "GET" && !hasUnstorable(params) ? options.versioned?.({ request, params }) : undefined;
      const found = await authenticate(request, versioned && versionQuery(versioned));
      const { auth } = found;
      if (options.permission === "manage" && auth.permission !== "manage") {
        throw forbidden("This token may only read; creating, changing or killing needs a token that can manage jobs.");
      }
      checkedParams(params);
      await checkRunIdHeader(request, auth.projectId);
      // A branch-scoped path (rewritten by proxy.ts) must name the caller's main branch.
      const branch = request.headers.get(BRANCH_HEADER);
      if (branch !== null) checkBranch(branch, auth.projectId);
      const origin = publicOrigin(request);
      if (!versioned || (versioned.version !== "answer" && found.extra === null)) {
        const response = await handler(request, { auth, params, origin });
        // A write through this server: its own pollers see it now, not when its NOTIFY arrives.
        if (request.method !== "GET" && response.status < 400) cache.changedProject(auth.projectId);
        return response;
      }

      const url = `${request.nextUrl.pathname}${request.nextUrl.search}`;
      const key = answerKey({ projectId: auth.projectId, origin, url });
      const remember = (etag: string, answer?: Answer) => {
        const caller = callerKey({ token: request.headers.get(TOKEN_HEADER), session: request.cookies.get(SESSION_COOKIE)?.value ?? null });
        const scope = scopeOf(versioned.scope, auth.projectId, found.root);
        if (caller === null || scope === null) return;
        const expiresAt = found.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
        const body = answer && { headers: answer.headers, bytes: answer.body };
        cache.remember({ start, caller, projectId: auth.projectId, expiresAt, answerKey: key, etag, scopes: [scope], body });
      };
      const version = versioned.version === "answer" ? null : found.extra!;
      const etag = version === null ? null : knownEtag(key, version);
      if (etag !== null && matchesIfNoneMatch(request, etag)) {
        remember(etag);
        return notModified(etag);
      }
      const answer = await sharedAnswer(key, version, () => handler(request, { auth, params, origin }));
      if (answer.status !== 200) return toResponse(answer);
      remember(answer.etag, answer);
      if (matchesIfNoneMatch(request, answer.etag)) return notModified(answer.etag);
      return toResponse(answer, revalidatedHeaders(answer.etag));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function scopeOf(scope: AnswerScope, projectId: number, root: string | null): string | null {
  if (scope === "jobs") return scopes.jobs(projectId);
  if (scope === "events") return scopes.events(projectId);
  return root === null ? null : scopes.run(projectId, root);
}

/** Routes that need no token (sign-in, health) still get the same error mapping. */
export function withErrors<P extends RouteParams = Record<string, never>>(
  handler: (request: NextRequest, ctx: { params: P }) => Promise<Response>,
) {
  return async (request: NextRequest, routeCtx: { params: Promise<P> }): Promise<Response> => {
    try {
      return await handler(request, { params: checkedParams(await routeCtx.params) });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function hasUnstorable(params: RouteParams | undefined): boolean {
  return Object.values(params ?? {}).flat().some((value) => typeof value === "string" && UNSTORABLE.test(value));
}

/** No id, name or table can hold a NUL or an unpaired surrogate (the database refuses them): 404. */
function checkedParams<P extends RouteParams>(params: P): P {
  if (hasUnstorable(params)) {
    throw new ApiError(404, "notFound", "Nothing here has that name: it contains a NUL character or an unpaired surrogate.");
  }
  return params;
}

/** The caller (and, in the same query, the version when asked for one), or a 401/403. */
async function authenticate(request: NextRequest, version?: { extra?: Prisma.Sql; root?: Prisma.Sql }): Promise<FoundCaller> {
  const secret = request.headers.get(TOKEN_HEADER);
  const sessionId = secret === null ? request.cookies.get(SESSION_COOKIE)?.value : undefined;
  let credential: Credential;
  if (secret !== null) credential = { kind: "token", secret: secret.trim() };
  else if (sessionId) {
    // A cookie rides along with cross-site requests; mutations must come from our own pages.
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method) && !isSameOrigin(request)) {
      throw forbidden("Cross-site request refused.");
    }
    credential = { kind: "session", sessionId };
  } else throw unauthorized();
  // A valid credential always goes through, however many failures its address or prefix had.
  const found = await authenticateCaller({ db: db(), credential, ...version });
  if (found) return found;
  const keys = limitKeys({ client: clientAddress(request), token: credential.kind === "token" ? credential.secret : null });
  apiAuthLimiter.recordFailure(keys);
  const wait = apiAuthLimiter.retryAfter(keys);
  if (wait > 0) throw new TooManyRequestsError("tooManyAttempts", `Too many failed authentications; try again in ${wait} seconds.`, wait);
  throw unauthorized(credential.kind === "token" ? "The X-StorageApi-Token is invalid or has been revoked." : "Your session has expired; sign in again.");
}

/**
 * X-KBC-RunId names the run a request belongs to (a component's calls back into the API): the same
 * rule on every route, a run of the caller's own project or a 400.
 */
async function checkRunIdHeader(request: NextRequest, projectId: number): Promise<void> {
  const runId = request.headers.get("x-kbc-runid")?.trim();
  if (!runId) return;
  if (!/^\d{1,18}(\.\d{1,18})*$/.test(runId)) throw badRequest("invalidRunId", "X-KBC-RunId must be a run id such as 123 or 123.456.");
  // A run id starts with its root job's id (ids are global): another project's run is refused; one
  // no job has is a client's own grouping label, accepted as Keboola does.
  const rootId = BigInt(runId.split(".")[0]!);
  const root = await db().job.findUnique({ where: { id: rootId }, select: { projectId: true } });
  if (root && root.projectId !== projectId) throw badRequest("invalidRunId", `X-KBC-RunId "${runId}" is a run of another project.`);
}

export function isSameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  return origin === publicOrigin(request);
}

/**
 * The client's address as the HTTP server found it (server/main.ts: the peer, or what a trusted proxy
 * says, lib/net/client-address.ts). "local" without that server in front (`next dev`, route tests).
 */
export function clientAddress(request: NextRequest): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) ?? "local";
}

export function publicOrigin(request: NextRequest): string {
  return originOf((name) => request.headers.get(name), { host: request.nextUrl.host, protocol: request.nextUrl.protocol.replace(":", "") });
}

function retryLater(error: ApiError, seconds: number): Response {
  const response = errorResponse(error);
  response.headers.set("Retry-After", String(seconds));
  return response;
}

export function errorResponse(error: unknown): Response {
  if (error instanceof TooManyRequestsError) {
    return NextResponse.json(error.toJSON(), { status: error.status, headers: { "Retry-After": String(error.retryAfterSeconds) } });
  }
  if (error instanceof ApiError) return NextResponse.json(error.toJSON(), { status: error.status });
  if (error instanceof z.ZodError) return errorResponse(zodToApiError(error));
  if (isDatabaseUnavailable(error)) {
    console.error(`[api] database unavailable: ${error instanceof Error ? error.message.split("\n").filter(Boolean).at(-1) : String(error)}`);
    return retryLater(new ApiError(503, "databaseUnavailable", "The database is unavailable at the moment; try again shortly."), 2);
  }
  const prisma = prismaErrorCode(error);
  // Two requests racing for one row (both delete it, both create it): the loser gets a 404 or 409.
  if (prisma === "P2025") return errorResponse(new ApiError(404, "notFound", "It was not found; another request may have just deleted it."));
  if (prisma === "P2002") return errorResponse(new ApiError(409, "conflict", "Another request has just created the same thing."));
  // A transaction that waited too long for a lock or a connection: the database is busy, say so.
  if (prisma === "P2028" || prisma === "P2024") {
    console.error("[api] database busy", error instanceof Error ? error.message.split("\n").filter(Boolean).pop() : "");
    return retryLater(new ApiError(503, "databaseBusy", "The database is too busy to finish this request; try again in a few seconds."), 5);
  }
  const id = Math.random().toString(36).slice(2, 10);
  console.error(`[api] unexpected error ${id}`, error);
  return NextResponse.json(
    { error: `Internal error (reference ${id}); the details are in the server log.`, code: "internalError", status: 500 },
    { status: 500 },
  );
}

export function zodToApiError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "Invalid input.";
  return invalidInput(message, field);
}

/**
 * Reads a request body with a size limit (413), a syntax check (400) and the schema (422): JSON, or
 * a form (`application/x-www-form-urlencoded` or `multipart/form-data`, PHP-style arrays, see
 * lib/api/form-fields.ts) as Keboola's Storage API takes them. A form's fields become the object the
 * JSON would have been (strings at the leaves), checked by the same schema.
 */
export async function readJson<S extends z.ZodType>(request: NextRequest, schema: S): Promise<z.output<S>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) throw tooLarge();
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let value: unknown;
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    value = await readForm(request, type);
  } else {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await readBodyBytes(request));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw badRequest("malformedJson", "The request body is not valid UTF-8.");
    }
    try {
      value = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw badRequest("malformedJson", "The request body is not valid JSON.");
    }
  }
  const problem = inspectJson(value);
  if (problem?.kind === "depth") {
    throw badRequest("jsonTooDeep", `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  if (problem?.kind === "text") throw unstorableText(problem.path);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToApiError(parsed.error);
  return parsed.data;
}

/** Alias: the body, JSON or form. */
export const readBody = readJson;

async function readForm(request: NextRequest, type: string): Promise<unknown> {
  const bytes = await readBodyBytes(request);
  const fields: [string, string][] = [];
  if (type === "application/x-www-form-urlencoded") {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw badRequest("malformedForm", "The request body is not valid UTF-8.");
    }
    for (const [key, value] of new URLSearchParams(text)) fields.push([key, value]);
  } else {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(bytes), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw badRequest("malformedForm", "The request body is not a valid multipart form.");
    }
    for (const [key, value] of form) {
      if (typeof value !== "string") throw invalidInput(`${key}: a file part is not accepted here; upload files through /v2/storage/files`, key);
      fields.push([key, value]);
    }
  }
  try {
    return formToObject(fields);
  } catch (error) {
    if (error instanceof FormFieldError) throw invalidInput(error.message, error.field);
    throw error;
  }
}

/**
 * The body's bytes, read chunk by chunk: a chunked body with no Content-Length is cut off at the
 * limit instead of being held in memory whole.
 */
async function readBodyBytes(request: NextRequest): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw badRequest("bodyIncomplete", "The request body ended before it was complete.");
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > MAX_JSON_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

// PostgreSQL text and jsonb cannot hold NUL characters, and lone UTF-16 surrogates are not text.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorableText(path: string) {
  return invalidInput(`${path || "body"}: contains a NUL character or an unpaired surrogate`, path || undefined);
}

/**
 * Walks a parsed JSON body without recursion (a hostile body cannot overflow the stack) and
 * reports the first problem: nesting deeper than MAX_JSON_DEPTH, or a string no database can store.
 */
export function inspectJson(value: unknown): { kind: "depth" } | { kind: "text"; path: string } | null {
  const stack: [unknown, number, string][] = [[value, 1, ""]];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (typeof node === "string") {
      if (UNSTORABLE.test(node)) return { kind: "text", path };
      continue;
    }
    if (node === null || typeof node !== "object") continue;
    if (depth > MAX_JSON_DEPTH) return { kind: "depth" };
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return { kind: "text", path: childPath };
      stack.push([child, depth + 1, childPath]);
    }
  }
  return null;
}

/** The HTTP methods a route module can export. */
export const ROUTE_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/**
 * Handlers for the methods a route does not serve: the same JSON error as everything else (405, with
 * `Allow`), where Next.js would answer an empty body. `export const { PUT, DELETE, PATCH } =
 * otherMethods(["GET", "POST"])`.
 */
export function otherMethods(served: readonly RouteMethod[]): Record<RouteMethod, () => Promise<Response>> {
  const allow = [...served, ...(served.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const refuse = async () => {
    const response = errorResponse(new ApiError(405, "methodNotAllowed", `This endpoint answers ${served.join(", ")} only.`));
    response.headers.set("Allow", allow);
    return response;
  };
  return Object.fromEntries(ROUTE_METHODS.map((m) => [m, refuse])) as Record<RouteMethod, () => Promise<Response>>;
}

function tooLarge() {
  return new ApiError(413, "payloadTooLarge", `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
}

/** Parses query parameters: `status[]=a&status[]=b` and `status=a&status=b` both give arrays. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawKey, value] of params) {
    const isArray = rawKey.endsWith("[]");
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const existing = out[key];
    if (existing === undefined) out[key] = isArray ? [value] : value;
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

export function parseQuery<S extends z.ZodType>(request: NextRequest, schema: S): z.output<S> {
  for (const [key, value] of request.nextUrl.searchParams) {
    if (UNSTORABLE.test(key) || UNSTORABLE.test(value)) throw unstorableText(key.replace(/\[\]$/, ""));
  }
  const parsed = schema.safeParse(queryObject(request.nextUrl.searchParams));
  if (!parsed.success) throw zodToApiError(parsed.error);
  return parsed.data;
}
