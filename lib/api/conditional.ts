import "server-only";
import type { NextRequest } from "next/server";

/**
 * Headers for a JSON answer a browser may keep but must revalidate every time (`no-cache`): its
 * fetch() then sends If-None-Match by itself, and a 304 costs neither a body nor a render.
 */
export function revalidatedHeaders(etag: string): HeadersInit {
  return { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Cookie, X-StorageApi-Token" };
}

/** Whether the request's If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(request: NextRequest, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
