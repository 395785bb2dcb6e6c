import { createHash } from "node:crypto";

// The poll cache: which ETag each poller's URL last got, kept while nothing it rests on has changed,
// so that an unchanged poll is answered 304 by the HTTP server itself (server/main.ts), before
// Next.js routes it and without the database.
//
// Shared by two copies of this module in one process (the server's and Next.js's bundle), hence
// one instance on globalThis. Route handlers (lib/api/handler.ts) remember what they answered; the
// server looks it up. It answers only while it hears every change: PostgreSQL triggers
// (prisma/migrations/*_change_notifications) NOTIFY `jobdeck_changes` for every statement that
// writes jobs, events, configurations, tokens or sessions, the server LISTENs, and each
// notification invalidates the scopes it names. While that connection is down (and on the
// embedded database, which has no other process to hear from) nothing is remembered and every
// poll goes to the route as before.

export const CHANGES_CHANNEL = "jobdeck_changes";

/** What an answer rests on; a change names the scopes it touches. */
export const scopes = {
  /** Everything: tokens and sessions changed, or notifications were missed. */
  everything: "*",
  /** Everything of one project (its configurations' names are in every job's JSON). */
  project: (projectId: number) => `p${projectId}`,
  /** Lists and counts over a project's jobs. */
  jobs: (projectId: number) => `j${projectId}`,
  /** Event lists not tied to one run. */
  events: (projectId: number) => `e${projectId}`,
  /** One orchestration: the jobs and events of a root run's tree. */
  run: (projectId: number, rootRunId: string) => `r${projectId}:${rootRunId}`,
};

type Entry = { etag: string; start: number; scopes: string[]; expiresAt: number };

export class PollCache {
  constructor(private readonly limits = { entries: 200_000, changedScopes: 200_000 }) {}

  /** Bumped by every change; a request remembers the value it started at. */
  private seq = 0;
  /** When notifications became audible; Infinity while they are not. */
  private listeningSince = Number.POSITIVE_INFINITY;
  /** The last change of each scope; a scope not listed last changed at `floor` or before. */
  private readonly changedAt = new Map<string, number>();
  private floor = 0;
  private readonly entries = new Map<string, Entry>();

  get listening(): boolean {
    return this.listeningSince !== Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Taken before a request reads the database: what it learns is valid as of this point. */
  begin(): number {
    return this.seq;
  }

  /** Notifications are heard from now on; nothing from before can be trusted. */
  listen(): void {
    this.forgetAll();
    this.listeningSince = this.seq;
  }

  /** Notifications may be missed from now on. */
  deaf(): void {
    this.forgetAll();
    this.listeningSince = Number.POSITIVE_INFINITY;
  }

  /** A request that started at `start` answered `etag` for `key`; kept unless something changed since. */
  remember(key: string, entry: Entry): void {
    if (entry.start < this.listeningSince || !this.fresh(entry)) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.limits.entries) dropOldest(this.entries, this.limits.entries / 10);
  }

  /** The ETag `key` was answered with, while still valid and named by If-None-Match; else null. */
  lookup(key: string, ifNoneMatch: string, now = Date.now()): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (now >= entry.expiresAt || !this.fresh(entry)) {
      this.entries.delete(key);
      return null;
    }
    return namesEtag(ifNoneMatch, entry.etag) ? entry.etag : null;
  }

  /** A payload of `jobdeck_changes`: "jobs <projectId> [<rootRunId>… | *]", "events …", "configs <projectId>", "auth". */
  changed(payload: string): void {
    const [kind, project, ...roots] = payload.split(" ");
    const projectId = Number(project);
    if (!["jobs", "events", "configs"].includes(kind!) || !Number.isInteger(projectId)) return this.touch(scopes.everything);
    if (kind === "configs" || roots[0] === "*" || (kind === "jobs" && roots.length === 0)) return this.touch(scopes.project(projectId));
    this.touch(kind === "events" ? scopes.events(projectId) : scopes.jobs(projectId));
    for (const root of roots) if (root) this.touch(scopes.run(projectId, root));
  }

  /** Everything of a project may have changed (a write through this server, before its NOTIFY arrives). */
  changedProject(projectId: number): void {
    this.touch(scopes.project(projectId));
  }

  private fresh(entry: Entry): boolean {
    return entry.scopes.every((scope) => (this.changedAt.get(scope) ?? this.floor) <= entry.start);
  }

  private touch(scope: string): void {
    this.seq += 1;
    this.changedAt.delete(scope);
    this.changedAt.set(scope, this.seq);
    if (this.changedAt.size > this.limits.changedScopes) {
      // The oldest changes leave the map: every scope it does not list now counts as changed then.
      this.floor = Math.max(this.floor, ...dropOldest(this.changedAt, this.limits.changedScopes / 10));
    }
  }

  private forgetAll(): void {
    this.entries.clear();
    this.changedAt.clear();
    this.seq += 1;
    this.floor = this.seq;
  }
}

/** Drops the `count` oldest entries of a Map (insertion order) in one pass; returns their values. */
function dropOldest<V>(map: Map<string, V>, count: number): V[] {
  const dropped: V[] = [];
  for (const [key, value] of map) {
    if (dropped.length >= count) break;
    map.delete(key);
    dropped.push(value);
  }
  return dropped;
}

const holder = globalThis as unknown as { [key: symbol]: PollCache | undefined };
const HOLDER_KEY = Symbol.for("jobdeck.pollCache");

/** This process's poll cache. */
export function pollCache(): PollCache {
  return (holder[HOLDER_KEY] ??= new PollCache());
}

/** A poller: its credential (token or session, hashed), the origin its JSON's URLs use, and the URL. */
export function pollKey(parts: { token: string | null; session: string | null; origin: string; url: string }): string | null {
  const credential = parts.token !== null ? `t${parts.token.trim()}` : parts.session ? `s${parts.session}` : null;
  if (credential === null) return null;
  return createHash("sha256").update([credential, parts.origin, parts.url].join("\u0000")).digest("base64url");
}

/** The origin the client sees (behind a proxy, its forwarding headers say): the JSON's URLs use it. */
export function originOf(header: (name: string) => string | null | undefined, fallback: { host: string; protocol: string }): string {
  const host = header("x-forwarded-host") ?? header("host") ?? fallback.host;
  const proto = header("x-forwarded-proto") ?? fallback.protocol;
  return `${proto}://${host}`;
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function namesEtag(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Headers for a JSON answer a browser may keep but must revalidate every time (`no-cache`): its
 * fetch() then sends If-None-Match by itself, and a 304 costs neither a body nor a render.
 */
export function revalidatedHeaders(etag: string): Record<string, string> {
  return { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Cookie, X-StorageApi-Token" };
}
