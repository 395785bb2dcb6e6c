import { describe, expect, it } from "vitest";
import { answerKey, callerKey, namesEtag, originOf, PollCache, scopes } from "@/lib/api/poll-cache";

const ETAG = 'W/"abc"';
const forever = Number.POSITIVE_INFINITY;
const url = (projectId: number) => answerKey({ projectId, origin: "http://a", url: "/api/jobs/1" });

/** What a route learned: caller `c` of project 1 polled /api/jobs/1, which rests on run 7. */
function learned(cache: PollCache, overrides: Partial<Parameters<PollCache["remember"]>[0]> = {}) {
  cache.remember({ start: cache.begin(), caller: "c", projectId: 1, expiresAt: forever, answerKey: url(1), etag: ETAG, scopes: [scopes.run(1, "7")], ...overrides });
}

function listeningWithOne() {
  const cache = new PollCache();
  cache.listen();
  learned(cache);
  return cache;
}

describe("PollCache", () => {
  it("knows a remembered ETag for a known caller only", () => {
    const cache = listeningWithOne();
    expect(cache.lookup("c", url)).toEqual({ key: url(1), etag: ETAG, body: null });
    expect(cache.lookup("stranger", url)).toBeNull();
    expect(cache.lookup("c", () => answerKey({ projectId: 1, origin: "http://a", url: "/api/jobs/2" }))?.etag ?? null).toBeNull();
  });

  it("shares an answer among the callers of its project, not with another project's", () => {
    const cache = listeningWithOne();
    learned(cache, { caller: "d", answerKey: answerKey({ projectId: 1, origin: "http://a", url: "/api/jobs/9" }), etag: 'W/"other"' });
    // d's poll of /api/jobs/1 was never seen, but c's answer is the project's.
    expect(cache.lookup("d", url)?.etag).toBe(ETAG);
    learned(cache, { caller: "e", projectId: 2, answerKey: answerKey({ projectId: 2, origin: "http://a", url: "/api/jobs/9" }), scopes: [scopes.run(2, "9")] });
    expect(cache.lookup("e", url)?.etag ?? null).toBeNull();
  });

  it("forgets an answer when its run, its project or anything changes, and keeps it for other runs", () => {
    const cache = listeningWithOne();
    cache.changed("jobs 1 8 9");
    cache.changed("events 2 7");
    cache.changed("jobs 3 *");
    expect(cache.lookup("c", url)?.etag).toBe(ETAG);
    cache.changed("events 1 7");
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();

    for (const payload of ["jobs 1 *", "jobs 1", "configs 1", "auth", "something new"]) {
      const again = listeningWithOne();
      again.changed(payload);
      expect(again.lookup("c", url)?.etag ?? null, payload).toBeNull();
    }
    const local = listeningWithOne();
    local.changedProject(1);
    expect(local.lookup("c", url)?.etag ?? null).toBeNull();
  });

  it("forgets callers when any token or session changes", () => {
    const cache = listeningWithOne();
    cache.changed("auth");
    // The answer is valid again once a route re-learns it, but the caller must be checked anew.
    learned(cache, { caller: "d" });
    expect(cache.lookup("d", url)?.etag).toBe(ETAG);
    expect(cache.lookup("c", url)).toBeNull();
  });

  it("does not keep what a request learned before a change it raced with", () => {
    const cache = new PollCache();
    cache.listen();
    const start = cache.begin();
    cache.changed("jobs 1 7");
    learned(cache, { start });
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();
    // A change elsewhere does not stop it from being kept.
    const later = cache.begin();
    cache.changed("jobs 1 8");
    learned(cache, { start: later });
    expect(cache.lookup("c", url)?.etag).toBe(ETAG);
  });

  it("keeps nothing while it cannot hear changes, and forgets everything when it stops hearing them", () => {
    const cache = new PollCache();
    expect(cache.listening).toBe(false);
    learned(cache);
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();

    const started = cache.begin();
    cache.listen();
    // Begun before the cache could hear: what it read may be older than a missed change.
    learned(cache, { start: started });
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();

    learned(cache);
    expect(cache.lookup("c", url)?.etag).toBe(ETAG);
    cache.deaf();
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();
    expect(cache.size).toBe(0);
  });

  it("keeps the bytes of an answer for as long as its ETag is current", () => {
    const cache = listeningWithOne();
    const bytes = new TextEncoder().encode('{"id":"1"}').buffer as ArrayBuffer;
    learned(cache, { body: { headers: [["content-type", "application/json"]], bytes } });
    expect(cache.lookup("c", url)?.body?.bytes.toString()).toBe('{"id":"1"}');
    // A newer answer without its bytes (a 304 the route answered from its version alone): none kept.
    learned(cache, { etag: 'W/"new"' });
    expect(cache.lookup("c", url)).toMatchObject({ etag: 'W/"new"', body: null });
    learned(cache, { etag: ETAG, body: { headers: [], bytes } });
    cache.changed("jobs 1 7");
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();
  });

  it("keeps answers' bytes within its budget, dropping the oldest", () => {
    const cache = new PollCache({ entries: 1_000, changedScopes: 1_000, bodyBytes: 10_000 });
    cache.listen();
    const nth = (i: number) => () => answerKey({ projectId: 1, origin: "http://a", url: `/api/jobs/${i}` });
    for (let i = 0; i < 200; i++) learned(cache, { answerKey: nth(i)(), body: { headers: [], bytes: new ArrayBuffer(100) } });
    expect(cache.lookup("c", nth(100))?.body).not.toBeNull();
    expect(cache.lookup("c", nth(99))?.body).toBeNull();
    expect(cache.lookup("c", nth(99))?.etag).toBe(ETAG);
    // Too big to keep at all: over a hundredth of the budget.
    learned(cache, { answerKey: nth(300)(), body: { headers: [], bytes: new ArrayBuffer(101) } });
    expect(cache.lookup("c", nth(300))).toMatchObject({ etag: ETAG, body: null });
  });

  it("stops answering for a session once it has expired", () => {
    const cache = new PollCache();
    cache.listen();
    learned(cache, { expiresAt: 1_000 });
    expect(cache.lookup("c", url, 999)?.etag).toBe(ETAG);
    expect(cache.lookup("c", url, 1_000)).toBeNull();
  });

  it("treats a change it no longer lists as recent, so a long-held answer is not trusted blindly", () => {
    const cache = new PollCache({ entries: 100, changedScopes: 100, bodyBytes: 1_000_000 });
    cache.listen();
    learned(cache, { scopes: [scopes.run(1, "0")] });
    for (let i = 1; i <= 40; i++) cache.changed(`jobs 2 ${i}`);
    expect(cache.lookup("c", url)?.etag).toBe(ETAG);
    // More changed runs than the cache lists: the oldest changes are dropped from the list.
    for (let i = 41; i <= 100; i++) cache.changed(`jobs 2 ${i}`);
    expect(cache.lookup("c", url)?.etag ?? null).toBeNull();
  });

  it("keeps at most its limit of answers, dropping the oldest", () => {
    const cache = new PollCache({ entries: 100, changedScopes: 100, bodyBytes: 1_000_000 });
    cache.listen();
    const nth = (i: number) => () => answerKey({ projectId: 1, origin: "http://a", url: `/api/jobs/${i}` });
    for (let i = 0; i <= 100; i++) learned(cache, { answerKey: nth(i)() });
    expect(cache.size).toBe(1 + 91);
    expect(cache.lookup("c", nth(0))?.etag ?? null).toBeNull();
    expect(cache.lookup("c", nth(100))?.etag).toBe(ETAG);
  });
});

describe("poll keys", () => {
  it("tell callers apart by credential, and answers by project, origin and URL", () => {
    const caller = (parts: Partial<Parameters<typeof callerKey>[0]>) => callerKey({ token: null, session: "s1", ...parts });
    expect(caller({})).toBe(caller({}));
    expect(new Set([caller({}), caller({ session: "s2" }), caller({ token: "s1", session: null })]).size).toBe(3);
    expect(caller({ token: " t " })).toBe(caller({ token: "t" }));
    expect(caller({ session: null })).toBeNull();
    const base = { projectId: 1, origin: "http://a", url: "/api/jobs/1" };
    expect(new Set([base, { ...base, projectId: 2 }, { ...base, origin: "http://b" }, { ...base, url: "/api/jobs/2" }].map(answerKey)).size).toBe(4);
  });

  it("take the origin from forwarding headers first", () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    expect(originOf(headers({ host: "a:3000" }), { host: "x", protocol: "http" })).toBe("http://a:3000");
    expect(originOf(headers({ host: "a", "x-forwarded-host": "jobs.example", "x-forwarded-proto": "https" }), { host: "x", protocol: "http" })).toBe("https://jobs.example");
  });

  it("compare ETags weakly, as RFC 9110 asks for GET", () => {
    expect(namesEtag('"abc"', 'W/"abc"')).toBe(true);
    expect(namesEtag("*", 'W/"abc"')).toBe(true);
    expect(namesEtag('W/"abd"', 'W/"abc"')).toBe(false);
  });
});
