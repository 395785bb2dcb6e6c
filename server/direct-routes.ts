// The API's hot reads, answered by the route handlers Next.js built, without Next.js routing them.
// A GET through Next.js costs this 2-core machine ≈ 3.5 ms of CPU before and after the handler
// runs (its router, tracing, request and response adaptation, web streams, the compression
// middleware): more than a search's whole page of SQL. These routes are the ones dashboards poll
// and programs search; the server calls their GET handler itself, the very function Next.js would
// call, loaded from the same build (`.next/server/app/…/route.js`, so the same module instances:
// one database pool, one store of shared answers). Everything else, and any path these patterns
// do not match exactly (a percent-encoded segment, a trailing slash), goes to Next.js as before.
import { createRequire } from "node:module";
import path from "node:path";
import type http from "node:http";
import type { NextRequest } from "next/server";
import { bytesOf } from "@/lib/api/known-bytes";
import { SECURITY_HEADERS } from "@/lib/api/security-headers";

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = { pattern: RegExp; params: string[]; file: string };

const ROUTES: Route[] = [
  { pattern: /^\/api\/search\/jobs$/, params: [], file: "api/search/jobs" },
  { pattern: /^\/api\/search\/jobs\/counts$/, params: [], file: "api/search/jobs/counts" },
  { pattern: /^\/api\/jobs\/([^/%]+)$/, params: ["id"], file: "api/jobs/[id]" },
  { pattern: /^\/api\/v2\/storage\/events$/, params: [], file: "api/v2/storage/events" },
  { pattern: /^\/api\/v2\/storage\/jobs\/([^/%]+)$/, params: ["id"], file: "api/v2/storage/jobs/[id]" },
];

/** The response header that says a direct route answered (for tests and for whoever reads headers). */
export const DIRECT_HEADER = "X-Jobdeck-Route";

export type Answered = { status: number; headers: Record<string, string | string[]>; body: Buffer };

/**
 * Direct routes for the Next.js build in `dir`: `answer` gives the route's answer to a GET one of
 * them matches, or null for Next.js to answer (another method or path, or a build whose route
 * files do not have the shape this expects, which is said once in the log).
 */
export function directRoutes(dir: string, log: (message: string) => void) {
  const load = createRequire(import.meta.url);
  const handlers = new Map<Route, Promise<Handler | null>>();

  async function handlerOf(route: Route): Promise<Handler | null> {
    try {
      const { routeModule } = load(path.join(dir, ".next/server/app", route.file, "route.js")) as {
        routeModule: { ensureUserland(): Promise<void>; userland: { GET?: Handler } };
      };
      await routeModule.ensureUserland();
      const handler = routeModule.userland.GET;
      if (typeof handler !== "function") throw new Error("it has no GET handler");
      return handler;
    } catch (error) {
      log(`/${route.file} is answered by Next.js: its built route could not be loaded directly (${error instanceof Error ? error.message : String(error)})`);
      return null;
    }
  }

  return {
    async answer(request: http.IncomingMessage): Promise<Answered | null> {
      const url = request.url ?? "";
      const host = request.headers.host;
      if (request.method !== "GET" || !host || !url.startsWith("/api/")) return null;
      const query = url.indexOf("?");
      const pathname = query === -1 ? url : url.slice(0, query);
      for (const route of ROUTES) {
        const match = route.pattern.exec(pathname);
        if (!match) continue;
        if (!handlers.has(route)) handlers.set(route, handlerOf(route));
        const handler = await handlers.get(route)!;
        if (handler === null) return null;
        const nextRequest = await toNextRequest(request, `http://${host}${url}`);
        if (nextRequest === null) return null;
        const params = Object.fromEntries(route.params.map((name, i) => [name, match[i + 1]!]));
        return answered(await handler(nextRequest, { params: Promise.resolve(params) }));
      }
      return null;
    },
  };
}

let NextRequestClass: typeof NextRequest | undefined;

/** The request as Next.js would give it to the handler; null when its URL or headers do not parse (Next.js answers it). */
async function toNextRequest(request: http.IncomingMessage, url: string): Promise<NextRequest | null> {
  // Loaded once Next.js has started: next/server needs the globals its server sets up.
  NextRequestClass ??= (await import("next/server")).NextRequest;
  try {
    const headers = new Headers();
    const raw = request.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    return new NextRequestClass(url, { method: "GET", headers });
  } catch {
    return null;
  }
}

async function answered(response: Response): Promise<Answered> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers[name.toLowerCase()] = value;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  headers[DIRECT_HEADER.toLowerCase()] = "direct";
  return { status: response.status, headers, body: Buffer.from(await bytesOf(response)) };
}
