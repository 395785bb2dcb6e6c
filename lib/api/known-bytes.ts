// A Response made here from bytes in memory carries them, so that whoever reads it back in this
// process (sharedAnswer keeping an answer, the server writing a direct route's answer) takes them
// as they are instead of streaming them out of the Response again (undici's body stream costs
// ≈ 0.3 ms a read on a search page). The key is in the global symbol registry: the server and
// Next.js's bundle load this module separately. No server-only: server/direct-routes.ts uses it.
const BYTES = Symbol.for("jobdeck.knownBytes");

type Carrying = Response & { [BYTES]?: ArrayBuffer };

/** `response` (whose body is `bytes`), marked as carrying them. */
export function carrying(response: Response, bytes: ArrayBuffer): Response {
  (response as Carrying)[BYTES] = bytes;
  return response;
}

/** A JSON answer that carries its bytes (as NextResponse.json, with Content-Type application/json). */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body)).buffer as ArrayBuffer;
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  return carrying(new Response(bytes, { ...init, headers }), bytes);
}

/** The body of `response`: the bytes it carries, or read from its stream. */
export async function bytesOf(response: Response): Promise<ArrayBuffer> {
  return (response as Carrying)[BYTES] ?? response.arrayBuffer();
}
