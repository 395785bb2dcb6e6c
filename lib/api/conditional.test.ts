import { describe, expect, it } from "vitest";
import { answerEtag, knownEtag, sharedAnswer, toResponse } from "@/lib/api/conditional";

describe("sharedAnswer", () => {
  it("builds an answer once per version and shares it, headers and all", async () => {
    let builds = 0;
    const build = async () => {
      builds += 1;
      await new Promise((r) => setTimeout(r, 10));
      return Response.json({ builds }, { headers: { "X-Next-Cursor": "c" } });
    };
    const key = `k${Math.random()}`;
    const json = (answer: Parameters<typeof toResponse>[0]) => toResponse(answer).json();
    const answers = await Promise.all([sharedAnswer(key, "v1", build), sharedAnswer(key, "v1", build)]);
    expect(await sharedAnswer(key, "v1", build).then(json)).toEqual({ builds: 1 });
    for (const answer of answers) {
      expect(toResponse(answer).headers.get("x-next-cursor")).toBe("c");
      expect(await json(answer)).toEqual({ builds: 1 });
    }
    expect(knownEtag(key, "v1")).toBe(answers[0]!.etag);
    const second = await sharedAnswer(key, "v2", build);
    expect(await json(second)).toEqual({ builds: 2 });
    expect(second.etag).not.toBe(answers[0]!.etag);
    expect(knownEtag(key, "v1")).toBeNull();
    expect(builds).toBe(2);
  });

  it("tags an answer by what it says: a new version with the same answer keeps its ETag", async () => {
    const key = `k${Math.random()}`;
    const same = async () => Response.json({ jobs: [] });
    const first = await sharedAnswer(key, "v1", same);
    const second = await sharedAnswer(key, "v2", same);
    expect(second.etag).toBe(first.etag);
    // Unversioned: built every time, never kept.
    let builds = 0;
    const counted = async () => Response.json({ builds: ++builds });
    await sharedAnswer(`${key}-u`, null, counted);
    await sharedAnswer(`${key}-u`, null, counted);
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

describe("answerEtag", () => {
  it("differs by key (project, origin, URL) and by answer", () => {
    const body = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    const tags = new Set([answerEtag("1 http://a /api/jobs/1", body("{}")), answerEtag("1 http://a /api/jobs/2", body("{}")), answerEtag("1 http://a /api/jobs/1", body("[]"))]);
    expect(tags.size).toBe(3);
    expect(answerEtag("k", body("{}"))).toMatch(/^W\/"[\w-]{22}"$/);
  });
});
