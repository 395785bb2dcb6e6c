import { gunzipSync } from "node:zlib";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { acceptsGzip, sharedAnswer, versionEtag } from "@/lib/api/conditional";

describe("sharedAnswer", () => {
  it("builds an answer once per version and shares it, headers and all", async () => {
    let builds = 0;
    const build = async () => {
      builds += 1;
      await new Promise((r) => setTimeout(r, 10));
      return Response.json({ builds }, { headers: { "X-Next-Cursor": "c" } });
    };
    const key = `k${Math.random()}`;
    const answers = await Promise.all([sharedAnswer(key, "v1", build), sharedAnswer(key, "v1", build)]);
    expect(await sharedAnswer(key, "v1", build).then((r) => r.json())).toEqual({ builds: 1 });
    for (const answer of answers) {
      expect(answer.headers.get("x-next-cursor")).toBe("c");
      expect(await answer.json()).toEqual({ builds: 1 });
    }
    expect(await sharedAnswer(key, "v2", build).then((r) => r.json())).toEqual({ builds: 2 });
    expect(builds).toBe(2);
  });

  it("keeps no failure", async () => {
    const key = `k${Math.random()}`;
    let builds = 0;
    const notFound = async () => {
      builds += 1;
      return Response.json({ error: "gone" }, { status: 404 });
    };
    expect((await sharedAnswer(key, "v1", notFound)).status).toBe(404);
    expect((await sharedAnswer(key, "v1", notFound)).status).toBe(404);
    expect(builds).toBe(2);
    await expect(sharedAnswer(key, "v1", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});

describe("sharedAnswer with gzip", () => {
  it("compresses a kept answer once and serves it to gzip clients, plain to the others", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ id: String(i), status: "success" }));
    const key = `k${Math.random()}`;
    const build = async () => Response.json(rows);
    const zipped = await sharedAnswer(key, "v1", build, { gzip: true });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(JSON.parse(gunzipSync(bytes).toString("utf8"))).toEqual(rows);
    const again = await sharedAnswer(key, "v1", build, { gzip: true });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    const plain = await sharedAnswer(key, "v1", build);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.json()).toEqual(rows);
  });

  it("leaves small answers and errors alone", async () => {
    const small = await sharedAnswer(`k${Math.random()}`, "v1", async () => Response.json({ id: "1" }), { gzip: true });
    expect(small.headers.get("content-encoding")).toBeNull();
    const error = await sharedAnswer(`k${Math.random()}`, "v1", async () => Response.json({ error: "x".repeat(5000) }, { status: 404 }), { gzip: true });
    expect(error.headers.get("content-encoding")).toBeNull();
  });

  it("reads Accept-Encoding as browsers and clients send it", () => {
    const accepts = (value?: string) => acceptsGzip(new NextRequest("http://x/api", { headers: value === undefined ? {} : { "accept-encoding": value } }));
    expect(accepts("gzip, deflate, br, zstd")).toBe(true);
    expect(accepts("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(accepts("*")).toBe(true);
    expect(accepts("gzip;q=0")).toBe(false);
    expect(accepts("identity")).toBe(false);
    expect(accepts()).toBe(false);
  });
});

describe("versionEtag", () => {
  it("differs by version, project, URL and origin", () => {
    const base = { version: "1", projectId: 1, url: "/api/jobs/1", origin: "http://a" };
    const tags = new Set([base, { ...base, version: "2" }, { ...base, projectId: 2 }, { ...base, url: "/api/jobs/2" }, { ...base, origin: "http://b" }].map(versionEtag));
    expect(tags.size).toBe(5);
    expect(versionEtag(base)).toMatch(/^W\/"[\w-]{22}"$/);
  });
});
