import { describe, expect, it } from "vitest";
import { namesEtag, originOf, PollCache, pollKey, scopes } from "@/lib/api/poll-cache";

const ETAG = 'W/"abc"';
const forever = Number.POSITIVE_INFINITY;

/** A cache that hears notifications, with one answer in run 7 of project 1 remembered. */
function listeningWithOne() {
  const cache = new PollCache();
  cache.listen();
  const restsOn = [scopes.everything, scopes.project(1), scopes.run(1, "7")];
  cache.remember("k", { etag: ETAG, start: cache.begin(), scopes: restsOn, expiresAt: forever });
  return cache;
}

describe("PollCache", () => {
  it("answers a remembered ETag only to a poller that names it", () => {
    const cache = listeningWithOne();
    expect(cache.lookup("k", ETAG)).toBe(ETAG);
    expect(cache.lookup("k", `"other", ${ETAG.replace("W/", "")}`)).toBe(ETAG);
    expect(cache.lookup("k", '"other"')).toBeNull();
    expect(cache.lookup("unknown", ETAG)).toBeNull();
  });

  it("forgets an answer when its run, its project or anything changes, and keeps it for other runs", () => {
    const cache = listeningWithOne();
    cache.changed("jobs 1 8 9");
    cache.changed("events 2 7");
    cache.changed("jobs 3 *");
    expect(cache.lookup("k", ETAG)).toBe(ETAG);
    cache.changed("events 1 7");
    expect(cache.lookup("k", ETAG)).toBeNull();

    for (const payload of ["jobs 1 *", "configs 1", "auth", "something new"]) {
      const again = listeningWithOne();
      again.changed(payload);
      expect(again.lookup("k", ETAG), payload).toBeNull();
    }
    const local = listeningWithOne();
    local.changedProject(1);
    expect(local.lookup("k", ETAG)).toBeNull();
  });

  it("does not keep what a request learned before a change it raced with", () => {
    const cache = new PollCache();
    cache.listen();
    const start = cache.begin();
    cache.changed("jobs 1 7");
    cache.remember("k", { etag: ETAG, start, scopes: [scopes.run(1, "7")], expiresAt: forever });
    expect(cache.lookup("k", ETAG)).toBeNull();
    // A change elsewhere does not stop it from being kept.
    const later = cache.begin();
    cache.changed("jobs 1 8");
    cache.remember("k", { etag: ETAG, start: later, scopes: [scopes.run(1, "7")], expiresAt: forever });
    expect(cache.lookup("k", ETAG)).toBe(ETAG);
  });

  it("keeps nothing while it cannot hear changes, and forgets everything when it stops hearing them", () => {
    const cache = new PollCache();
    expect(cache.listening).toBe(false);
    cache.remember("k", { etag: ETAG, start: cache.begin(), scopes: [], expiresAt: forever });
    expect(cache.lookup("k", ETAG)).toBeNull();

    const started = cache.begin();
    cache.listen();
    // Begun before the cache could hear: what it read may be older than a missed change.
    cache.remember("k", { etag: ETAG, start: started, scopes: [], expiresAt: forever });
    expect(cache.lookup("k", ETAG)).toBeNull();

    cache.remember("k", { etag: ETAG, start: cache.begin(), scopes: [], expiresAt: forever });
    expect(cache.lookup("k", ETAG)).toBe(ETAG);
    cache.deaf();
    expect(cache.lookup("k", ETAG)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it("stops answering for a session once it has expired", () => {
    const cache = new PollCache();
    cache.listen();
    cache.remember("k", { etag: ETAG, start: cache.begin(), scopes: [], expiresAt: 1_000 });
    expect(cache.lookup("k", ETAG, 999)).toBe(ETAG);
    expect(cache.lookup("k", ETAG, 1_000)).toBeNull();
  });

  it("treats a change it no longer lists as recent, so a long-held answer is not trusted blindly", () => {
    const cache = new PollCache({ entries: 100, changedScopes: 100 });
    cache.listen();
    const start = cache.begin();
    cache.remember("old", { etag: ETAG, start, scopes: [scopes.run(1, "0")], expiresAt: forever });
    for (let i = 1; i <= 40; i++) cache.changed(`jobs 1 ${i}`);
    expect(cache.lookup("old", ETAG)).toBe(ETAG);
    // More changed runs than the cache lists: the oldest changes are dropped from the list.
    for (let i = 41; i <= 100; i++) cache.changed(`jobs 1 ${i}`);
    expect(cache.lookup("old", ETAG)).toBeNull();
  });

  it("keeps at most its limit of answers, dropping the oldest", () => {
    const cache = new PollCache({ entries: 100, changedScopes: 100 });
    cache.listen();
    for (let i = 0; i <= 100; i++) cache.remember(`k${i}`, { etag: ETAG, start: cache.begin(), scopes: [], expiresAt: forever });
    expect(cache.size).toBe(91);
    expect(cache.lookup("k0", ETAG)).toBeNull();
    expect(cache.lookup("k100", ETAG)).toBe(ETAG);
  });
});

describe("poll keys", () => {
  it("tell pollers apart by credential, origin and URL", () => {
    const key = (parts: Partial<Parameters<typeof pollKey>[0]>) =>
      pollKey({ token: null, session: "s1", origin: "http://a", url: "/api/jobs/1", ...parts });
    expect(key({})).toBe(key({}));
    expect(new Set([key({}), key({ session: "s2" }), key({ token: "s1", session: null }), key({ origin: "http://b" }), key({ url: "/api/jobs/2" })]).size).toBe(5);
    expect(key({ token: " t " })).toBe(key({ token: "t" }));
    expect(key({ session: null })).toBeNull();
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
