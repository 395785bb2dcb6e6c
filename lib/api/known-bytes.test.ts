import { describe, expect, it } from "vitest";
import { bytesOf, carrying, jsonResponse } from "@/lib/api/known-bytes";

describe("responses that carry their bytes", () => {
  it("a JSON answer carries exactly the bytes its body streams, with its status and headers", async () => {
    const body = { jobs: [{ id: "1", name: "Ünïcode ✓" }], next: null };
    const response = jsonResponse(body, { status: 201, headers: { "X-Next-Cursor": "abc" } });
    const carried = await bytesOf(response);
    // Taken without reading the stream: the body is still there for Next.js to send.
    expect(response.bodyUsed).toBe(false);
    expect(new TextDecoder().decode(carried)).toBe(JSON.stringify(body));
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(carried));
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-next-cursor")).toBe("abc");
    // A content type of its own is kept.
    expect(jsonResponse([], { headers: { "Content-Type": "application/problem+json" } }).headers.get("content-type")).toBe("application/problem+json");
  });

  it("any other response is read from its stream", async () => {
    const plain = new Response("streamed");
    expect(new TextDecoder().decode(await bytesOf(plain))).toBe("streamed");
    expect(plain.bodyUsed).toBe(true);
    const bytes = new TextEncoder().encode("kept").buffer as ArrayBuffer;
    expect(await bytesOf(carrying(new Response(bytes), bytes))).toBe(bytes);
  });
});
