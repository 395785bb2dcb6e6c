// The build's static assets (`/_next/static/…`: the pages' scripts and styles), answered by the
// server itself from memory, compressed once. Through Next.js every request for one is routed and
// gzipped anew: 13 of them for a cold /jobs load cost this 2-core machine ≈ 55 ms of CPU, queued
// behind one another and behind the page, so the stylesheet the first paint waits for came late.
// The files never change while a build is served (their names are content hashes), so each is
// read and gzipped once, off the main thread, and kept: the whole folder is ≈ 1.6 MB.
// A path that is not a plain file name under `.next/static` (an escape, `..`, a folder, a missing
// file) goes to Next.js, which answers it as it always has.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { namesEtag } from "@/lib/api/poll-cache";
import { SECURITY_HEADERS } from "@/lib/api/security-headers";

const PREFIX = "/_next/static/";
// Hashed names of letters, digits and `-_.~`, in folders of the same: nothing to decode or resolve.
const SAFE_PATH = /^(?:[\w~-][\w.~-]*\/)*[\w~-][\w.~-]*$/;
const gzip = promisify(zlib.gzip);

const TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=UTF-8",
  ".css": "text/css; charset=UTF-8",
  ".json": "application/json; charset=UTF-8",
  ".map": "application/json; charset=UTF-8",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=UTF-8",
};
// Already compressed: sent as they are.
const COMPRESSED = new Set([".woff2", ".woff", ".png", ".ico"]);

type Asset = { bytes: Buffer; gzipped: Buffer | null; etag: string; type: string };
/** What `send()` in server/main.ts writes: `gzipped` is the compressed form, or null to send `bytes` as they are. */
export type StaticAnswer = { status: 200 | 304; headers: http.OutgoingHttpHeaders; bytes: Buffer; gzipped: Buffer | null };

/** The static assets of the build in `dir`. */
export function staticFiles(dir: string) {
  const root = path.join(dir, ".next/static");
  const assets = new Map<string, Promise<Asset | null>>();

  async function load(relative: string): Promise<Asset | null> {
    const file = path.join(root, relative);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const bytes = await readFile(file);
    const extension = path.extname(file);
    const compressible = !COMPRESSED.has(extension) && bytes.byteLength >= 1024;
    return {
      bytes,
      gzipped: compressible ? await gzip(bytes, { level: 9 }) : null,
      etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`,
      type: TYPES[extension] ?? "application/octet-stream",
    };
  }

  return {
    /** The answer to a request for an asset of the build, for `send()`; null when Next.js should answer it. */
    async answer(request: http.IncomingMessage): Promise<StaticAnswer | null> {
      const method = request.method;
      const url = request.url ?? "";
      if ((method !== "GET" && method !== "HEAD") || !url.startsWith(PREFIX)) return null;
      const query = url.indexOf("?");
      const relative = (query === -1 ? url : url.slice(0, query)).slice(PREFIX.length);
      if (!SAFE_PATH.test(relative) || relative.split("/").some((part) => part === "." || part === "..")) return null;
      let pending = assets.get(relative);
      if (!pending) {
        pending = load(relative).catch(() => null);
        assets.set(relative, pending);
      }
      const asset = await pending;
      // A name that is not in the build is not remembered: the folder does not change under a
      // running build, but the map must not grow with every path someone tries.
      if (asset === null) {
        assets.delete(relative);
        return null;
      }
      const headers: http.OutgoingHttpHeaders = {
        ...SECURITY_HEADERS,
        "Cache-Control": "public, max-age=31536000, immutable",
        ETag: asset.etag,
        "Content-Type": asset.type,
      };
      const ifNoneMatch = request.headers["if-none-match"];
      if (ifNoneMatch && namesEtag(ifNoneMatch, asset.etag)) {
        // The 200 would vary with Accept-Encoding, so the 304 says so too.
        return { status: 304, headers: asset.gzipped ? { ...headers, Vary: "Accept-Encoding" } : headers, bytes: Buffer.alloc(0), gzipped: null };
      }
      return { status: 200, headers, bytes: asset.bytes, gzipped: asset.gzipped };
    },
  };
}
