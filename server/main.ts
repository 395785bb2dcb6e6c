// The web server `npm start` runs: Next.js (pages and API routes) behind a node:http server that
// answers unchanged polls itself. An open dashboard polls its job, children and log every 2 s with
// If-None-Match; while nothing they rest on has changed, the poll cache (lib/api/poll-cache.ts)
// knows the ETag the poller holds and the answer is a 304 without Next.js routing it and without
// a database query. The cache is filled by the API routes and emptied by the database's change
// notifications: on PostgreSQL this server listens for them below; the embedded database's come
// back on PGlite's own connection, heard where it is opened (worker/in-process.ts).
//   PORT=3000 [DATABASE_URL=postgresql://…] node --import tsx server/main.ts
import http from "node:http";
import type { Duplex } from "node:stream";
import path from "node:path";
import zlib from "node:zlib";
import next from "next";
import { answerKey, CHANGES_CHANNEL, callerKey, namesEtag, originOf, pollCache, revalidatedHeaders } from "@/lib/api/poll-cache";
import { SECURITY_HEADERS } from "@/lib/api/security-headers";
import { SESSION_COOKIE, TOKEN_HEADER } from "@/lib/auth/credentials";
import { env } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER, FORWARDING_HEADERS, parseTrustProxy, resolveClient } from "@/lib/net/client-address";
import { ALLOWED_METHODS, REFUSED_METHODS, STATIC_PAGE_CSP, isApiPath, isMalformedPath } from "@/lib/net/request-guards";
import { listenToChannels } from "@/lib/pg-listen";
import { directRoutes } from "./direct-routes";
import { staticFiles } from "./static-files";

// Open dashboards poll every 2 s, or every 30 s when all they show is final: connections stay open
// longer than that (Node's default is 5 s), so a slow poll does not cost a new connection each time.
const KEEP_ALIVE_MS = 65_000;

const cache = pollCache();

// Answers smaller than this go out uncompressed (as Next.js's own compression does). JSON pages
// compress about 40-fold at level 1, in 0.3 ms for 68 KB (the default level: 0.5 ms, 9 % smaller).
const GZIP_FROM_BYTES = 1024;
const gzip = (bytes: Buffer) => zlib.gzipSync(bytes, { level: 1 });
// Headers of a kept answer the server sets itself.
const REPLACED = new Set(["content-length", "content-encoding", "transfer-encoding", "etag", "cache-control", "vary", "date", "connection", "keep-alive"]);

/**
 * A GET answered from the poll cache: a 304 when the poller already holds the current answer,
 * else the kept answer itself (gzipped when the client takes it). Otherwise Next.js answers, and
 * when the cache knows the caller but not the answer now (it just changed), one request at a time
 * per answer goes to Next.js: the others wait for it and are then answered from what it left.
 */
async function serve(request: http.IncomingMessage, response: http.ServerResponse, retried = false): Promise<void> {
  const outcome = answerFromCache(request, response);
  if (outcome === "answered") return;
  if (outcome !== "route" && !retried) {
    const pending = revalidating.get(outcome.revalidate);
    if (pending) {
      await pending;
      return serve(request, response, true);
    }
    const key = outcome.revalidate;
    revalidating.set(key, new Promise((resolve) => response.once("close", () => {
      revalidating.delete(key);
      resolve();
    })));
  }
  await route(request, response);
}

const revalidating = new Map<string, Promise<void>>();

function answerFromCache(request: http.IncomingMessage, response: http.ServerResponse): "answered" | "route" | { revalidate: string } {
  const url = request.url;
  if (request.method !== "GET" || !url?.startsWith("/api/") || !cache.listening || !request.headers.host) return "route";
  // A client that asks caches to revalidate (a hard reload sends no-cache) gets the route's answer.
  if (/no-cache|no-store|max-age=0/.test(`${request.headers["cache-control"] ?? ""} ${request.headers.pragma ?? ""}`)) return "route";
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const token = header(TOKEN_HEADER) ?? null;
  const caller = callerKey({ token, session: token === null ? cookie(request.headers.cookie, SESSION_COOKIE) : null });
  const origin = originOf(header, { host: request.headers.host, protocol: "http" });
  const found = caller === null ? null : cache.lookup(caller, (projectId) => answerKey({ projectId, origin, url }));
  if (found === null) return "route";
  if (found.etag === null) return { revalidate: found.key };
  const ifNoneMatch = header("if-none-match");
  const headers: Record<string, string> = { ...revalidatedHeaders(found.etag), ...SECURITY_HEADERS, "X-Jobdeck-Cache": "hit" };
  if (ifNoneMatch && namesEtag(ifNoneMatch, found.etag)) {
    response.writeHead(304, headers);
    response.end();
    return "answered";
  }
  const body = found.body;
  if (body === null) return "route";
  for (const [name, value] of body.headers) if (!REPLACED.has(name.toLowerCase())) response.setHeader(name, value);
  send(request, response, 200, headers, body.bytes, () => (body.gzipped ??= gzip(body.bytes)));
  return "answered";
}

/**
 * Sends an answer's bytes, gzipped when there are enough of them and the client takes gzip
 * (`gzipped` gives them compressed: the poll cache compresses a kept answer once).
 */
function send(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
  bytes: Buffer,
  /** The compressed form of `bytes`, or null to send them as they are (already compressed). */
  gzipped: (() => Buffer) | null = () => gzip(bytes),
) {
  // Nothing follows a 304 or a 204, not even a Content-Length (a 304's would name the 200's length).
  if (status === 304 || status === 204) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const compressible = gzipped !== null && bytes.byteLength >= GZIP_FROM_BYTES && !headers["content-encoding"];
  const zipped = compressible && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  const out = zipped ? gzipped() : bytes;
  const vary = Object.keys(headers).find((name) => name.toLowerCase() === "vary");
  if (compressible) headers[vary ?? "Vary"] = vary ? `${headers[vary]}, Accept-Encoding` : "Accept-Encoding";
  response.writeHead(status, { ...headers, "Content-Length": String(out.byteLength), ...(zipped && { "Content-Encoding": "gzip" }) });
  // A HEAD is answered with the GET's headers and no body.
  response.end(request.method === "HEAD" ? undefined : out);
}

/**
 * A request the poll cache did not answer: a static asset of the build (server/static-files.ts),
 * a direct route's handler (server/direct-routes.ts) or Next.js.
 */
async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const asset = await assets.answer(request);
  if (asset) {
    const { gzipped } = asset;
    return send(request, response, asset.status, asset.headers, asset.bytes, gzipped ? () => gzipped : null);
  }
  const direct = await directs.answer(request);
  if (direct === null) return handle(request, response);
  send(request, response, direct.status, direct.headers, direct.body);
}

/** A cookie's value as Next.js reads it (the first of that name, percent-decoded). */
function cookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at === -1 || part.slice(0, at).trim() !== name) continue;
    const value = part.slice(at + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

const root = path.resolve(import.meta.dirname, "..");
const app = next({ dev: false, dir: root });
await app.prepare();
const handle = app.getRequestHandler();
const assets = staticFiles(root);
const directs = directRoutes(root, (message) => console.log(`[server] ${message}`));
const stopListening = env.DATABASE_URL
  ? listenToChannels(env.DATABASE_URL, {
      channels: [CHANGES_CHANNEL],
      onNotification: (_channel, payload) => cache.changed(payload),
      heard: () => cache.listen(),
      lost: () => cache.deaf(),
      log: (message) => console.log(`[server] ${message}`),
    })
  : null;

const trustProxy = parseTrustProxy(env.JOBDECK_TRUST_PROXY);

/**
 * Who is calling: the peer, or the client a trusted proxy names (JOBDECK_TRUST_PROXY). An untrusted
 * peer's forwarding headers are dropped here, so no route can be fooled by them.
 */
function admitClient(request: http.IncomingMessage): void {
  const one = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const { address, trustedPeer } = resolveClient({ peer: request.socket.remoteAddress, forwardedFor: one("x-forwarded-for"), realIp: one("x-real-ip"), trust: trustProxy });
  if (!trustedPeer) for (const name of FORWARDING_HEADERS) delete request.headers[name];
  request.headers[CLIENT_ADDRESS_HEADER] = address;
}

/** Requests answered before Next.js: TRACE/TRACK (405) and paths whose `%` escapes do not decode (400). */
function refuseEarly(request: http.IncomingMessage, response: http.ServerResponse): boolean {
  const method = request.method ?? "GET";
  if (REFUSED_METHODS.has(method)) {
    const body = JSON.stringify({ error: `This server does not answer ${method} requests.`, code: "methodNotAllowed", status: 405 });
    send(request, response, 405, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8", Allow: ALLOWED_METHODS }, Buffer.from(body));
    return true;
  }
  const pathname = (request.url ?? "/").split("?")[0]!;
  if (!isMalformedPath(pathname)) return false;
  const api = isApiPath(pathname);
  const body = api
    ? JSON.stringify({ error: "The request path is not valid percent-encoded UTF-8.", code: "malformedPath", status: 400 })
    : BAD_PATH_PAGE;
  const type = api ? "application/json; charset=utf-8" : "text/html; charset=utf-8";
  send(request, response, 400, { ...SECURITY_HEADERS, "Content-Type": type, "Content-Security-Policy": STATIC_PAGE_CSP }, Buffer.from(body));
  return true;
}

const BAD_PATH_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad address · Jobdeck</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>This address is not valid</h1><p>Its <code>%</code> escapes are not percent-encoded UTF-8. Check the link, or go to <a href="/jobs">the jobs</a>.</p>
</body></html>`;

const server = http.createServer((request, response) => {
  if (refuseEarly(request, response)) return;
  admitClient(request);
  serve(request, response).catch((error: unknown) => {
    console.error("[server] request failed", error);
    if (!response.headersSent) response.writeHead(500, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ error: "Internal error; the details are in the server log.", code: "internalError", status: 500 }));
  });
});
// What Node cannot parse as HTTP (headers or a URL past its 16 KB limit, a broken request line) never
// reaches a route: answer it here, as JSON like every API error, instead of Node's bodiless reply.
server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
  if (error.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? { error: "The request's headers or URL are too large (at most 16 KB together).", code: "headersTooLarge", status }
      : { error: "The request could not be read as HTTP.", code: "badRequest", status },
  );
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
});
// CONNECT never reaches the request handler (Node would close the socket without a word): a JSON 405.
server.on("connect", (_request: http.IncomingMessage, socket: Duplex) => {
  const body = JSON.stringify({ error: "This server does not answer CONNECT requests.", code: "methodNotAllowed", status: 405 });
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\nAllow: ${ALLOWED_METHODS}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
});
// Lingering close, as nginx does it. A request answered before its body was read (a 413 for an upload
// declared over the limit) on a connection that closes after the answer: Node destroys the socket as
// soon as the answer is written, while the client is still sending, and the kernel then resets the
// connection, which can throw the answer away on the client's side before it is read (seen: 2 of 200
// such uploads ended in EPIPE with no answer). Instead the answer is followed by a FIN, and what the
// client still sends is read and dropped until it closes its side or LINGER_MS pass.
const LINGER_MS = 5_000;
const unread = new WeakMap<Duplex, http.IncomingMessage>();
server.on("request", (request: http.IncomingMessage) => unread.set(request.socket, request));
server.on("connection", (socket: Duplex & { destroySoon?: () => void }) => {
  const destroySoon = socket.destroySoon?.bind(socket);
  if (!destroySoon) return;
  socket.destroySoon = () => {
    const request = unread.get(socket);
    if (!request || request.complete || socket.destroyed) return destroySoon();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once("end", () => socket.destroy());
    socket.once("close", () => clearTimeout(timer));
    request.resume();
  };
});
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.headersTimeout = KEEP_ALIVE_MS + 1_000;
// The embedded default listens on loopback only (env.host); HOST=0.0.0.0 exposes it.
server.listen(env.PORT, env.host, () => console.log(`[server] listening on ${env.host ?? "every interface"}, port ${env.PORT}`));
process.once("beforeExit", () => void stopListening?.());
