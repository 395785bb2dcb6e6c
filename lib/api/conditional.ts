import "server-only";
import { createHash } from "node:crypto";
import type { NextRequest } from "next/server";

/**
 * Headers for a JSON answer a browser may keep but must revalidate every time (`no-cache`): its
 * fetch() then sends If-None-Match by itself, and a 304 costs neither a body nor a render.
 */
export function revalidatedHeaders(etag: string): Record<string, string> {
  return { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Cookie, X-StorageApi-Token" };
}

/** A weak ETag for one URL's answer at one version, for one project and origin (the JSON carries URLs). */
export function versionEtag(parts: { version: string; projectId: number; url: string; origin: string }): string {
  const digest = createHash("sha1").update([parts.version, parts.projectId, parts.url, parts.origin].join("\u0000")).digest("base64url");
  return `W/"${digest.slice(0, 22)}"`;
}

/** Whether the request's If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(request: NextRequest, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}

export function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: revalidatedHeaders(etag) });
}

type Answer = { status: number; headers: [string, string][]; body: ArrayBuffer };

// Kept answers, least recently used first, within a byte budget.
const MAX_KEPT_BYTES = 32_000_000;
const MAX_ANSWER_BYTES = 1_000_000;
const kept = new Map<string, { etag: string; answer: Answer }>();
let keptBytes = 0;
const inFlight = new Map<string, { etag: string; answer: Promise<Answer> }>();

/**
 * The answer for `key` (a project's URL) at version `etag`: built once and shared by every caller
 * that finds the same version, so a thousand dashboards polling the same list after one change
 * cost one search, not a thousand. Nothing here can go stale: the version was read from the
 * database for this very request, and a kept answer is used only under that exact version (it
 * was built after the version was read, so it is never older than it).
 */
export async function sharedAnswer(key: string, etag: string, build: () => Promise<Response>): Promise<Response> {
  const hit = kept.get(key);
  if (hit?.etag === etag) {
    // Refresh its place: the Map's order is least recently used first.
    kept.delete(key);
    kept.set(key, hit);
    return toResponse(hit.answer);
  }
  const pending = inFlight.get(key);
  if (pending?.etag === etag) return toResponse(await pending.answer);

  const answer = build().then(async (response): Promise<Answer> => ({
    status: response.status,
    headers: [...response.headers],
    body: await response.arrayBuffer(),
  }));
  inFlight.set(key, { etag, answer });
  try {
    const built = await answer;
    if (built.status === 200 && built.body.byteLength <= MAX_ANSWER_BYTES) keep(key, { etag, answer: built });
    return toResponse(built);
  } finally {
    if (inFlight.get(key)?.answer === answer) inFlight.delete(key);
  }
}

function keep(key: string, entry: { etag: string; answer: Answer }) {
  forget(key);
  kept.set(key, entry);
  keptBytes += entry.answer.body.byteLength;
  for (const oldest of kept.keys()) {
    if (keptBytes <= MAX_KEPT_BYTES) break;
    forget(oldest);
  }
}

function forget(key: string) {
  const entry = kept.get(key);
  if (!entry) return;
  kept.delete(key);
  keptBytes -= entry.answer.body.byteLength;
}

// new Response() copies the bytes it is given, so one kept answer serves any number of requests.
function toResponse(answer: Answer): Response {
  return new Response(answer.body.byteLength === 0 ? null : answer.body, { status: answer.status, headers: answer.headers });
}
