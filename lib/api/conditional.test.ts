import { describe, expect, it } from "vitest";
import { sharedAnswer, versionEtag } from "@/lib/api/conditional";

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

describe("versionEtag", () => {
  it("differs by version, project, URL and origin", () => {
    const base = { version: "1", projectId: 1, url: "/api/jobs/1", origin: "http://a" };
    const tags = new Set([base, { ...base, version: "2" }, { ...base, projectId: 2 }, { ...base, url: "/api/jobs/2" }, { ...base, origin: "http://b" }].map(versionEtag));
    expect(tags.size).toBe(5);
    expect(versionEtag(base)).toMatch(/^W\/"[\w-]{22}"$/);
  });
});
