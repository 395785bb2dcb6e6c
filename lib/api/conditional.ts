import "server-only";
import { createHash } from "node:crypto";
import type { NextRequest } from "next/server";
import { bytesOf, carrying } from "@/lib/api/known-bytes";
import { namesEtag, revalidatedHeaders } from "@/lib/api/poll-cache";
import { VersionedStore } from "@/lib/versioned-store";

export { revalidatedHeaders };

/** The ETag of an answer: a digest of what it says, for one project's URL at one origin (`key`). */
export function answerEtag(key: string, body: ArrayBuffer): string {
  const digest = createHash("sha1").update(key).update("\u0000").update(new Uint8Array(body)).digest("base64url");
  return `W/"${digest.slice(0, 22)}"`;
}

/** Whether the request's If-None-Match names `etag`. */
export function matchesIfNoneMatch(request: NextRequest, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  return header !== null && namesEtag(header, etag);
}

export function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: revalidatedHeaders(etag) });
}

export type Answer = { status: number; headers: [string, string][]; body: ArrayBuffer; etag: string };

// Kept answers, least recently used first, within a byte budget; and the ETag of each key's latest
// version, kept longer (it is small), so that an unchanged poll needs no answer built.
const MAX_KNOWN_ETAGS = 100_000;
const kept = new VersionedStore<Answer>({ total: 32_000_000, largest: 1_000_000, sizeOf: (answer) => answer.body.byteLength });
const inFlight = new Map<string, { version: string; answer: Promise<Answer> }>();
const known = new Map<string, { version: string; etag: string }>();

/** The ETag `key`'s answer at `version` had, when it is known without building it. */
export function knownEtag(key: string, version: string): string | null {
  const entry = known.get(key);
  return entry?.version === version ? entry.etag : null;
}

/**
 * The answer for `key` (a project's URL) at `version`, with its ETag: built once and shared by every
 * caller that finds the same version, so a thousand dashboards polling the same list after one
 * change cost one search, not a thousand. Nothing here can go stale: the version was read from the
 * database for this very request, and a kept answer is used only under that exact version (it
 * was built after the version was read, so it is never older than it). A null version: built
 * every time, never kept. The ETag is the answer's digest, so a new version that says the same
 * (a running child moved, but not in a way this page shows) is still a 304 for whoever holds it.
 */
export async function sharedAnswer(key: string, version: string | null, build: () => Promise<Response>): Promise<Answer> {
  const fresh = () =>
    build().then(async (response): Promise<Answer> => {
      const body = await bytesOf(response);
      return { status: response.status, headers: [...response.headers], body, etag: answerEtag(key, body) };
    });
  if (version === null) return fresh();
  const hit = kept.get(key, version);
  if (hit) return hit;
  const pending = inFlight.get(key);
  if (pending?.version === version) return pending.answer;

  const answer = fresh();
  inFlight.set(key, { version, answer });
  try {
    const built = await answer;
    if (built.status === 200) {
      known.delete(key);
      known.set(key, { version, etag: built.etag });
      if (known.size > MAX_KNOWN_ETAGS) known.delete(known.keys().next().value!);
      kept.set(key, version, built);
    }
    return built;
  } finally {
    if (inFlight.get(key)?.answer === answer) inFlight.delete(key);
  }
}

// new Response() copies the bytes it is given, so one kept answer serves any number of requests.
export function toResponse(answer: Answer, headers: Record<string, string> = {}): Response {
  const response = new Response(answer.body.byteLength === 0 ? null : answer.body, { status: answer.status, headers: answer.headers });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return carrying(response, answer.body);
}
