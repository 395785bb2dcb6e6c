import { createHash } from "node:crypto";
import type { DbHandle } from "@/lib/db";
import { listenEmbedded } from "@/lib/pg-listen";

// The poll cache: which ETag each poller's URL last got, kept while nothing it rests on has changed,
// so that an unchanged poll is answered 304 by the HTTP server itself (server/main.ts), before
// Next.js routes it and without the database.
//
// Shared by two copies of this module in one process (the server's and Next.js's bundle), hence
// one instance on globalThis. Route handlers (lib/api/handler.ts) remember what they answered; the
// server looks it up. It answers only while it hears every change: triggers
// (prisma/migrations/*_change_notifications) NOTIFY `jobdeck_changes` for every statement that
// writes jobs, events, configurations, tokens or sessions, and each notification invalidates the
// scopes it names. On PostgreSQL the server LISTENs on a connection of its own; while that is down
// nothing is remembered and every poll goes to the route as before. The embedded database is this
// process's alone, and its NOTIFYs come back on PGlite's own connection (listenOnEmbedded below).

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

type Valid = { start: number; scopes: string[] };
type Caller = Valid & { projectId: number; expiresAt: number };
type Answer = Valid & { etag: string };
/** An answer's bytes as the route built them (uncompressed), and gzipped once asked for. */
export type KeptBody = { etag: string; headers: [string, string][]; bytes: Buffer; gzipped?: Buffer };

/**
 * Two maps, both forgotten entry by entry as their scopes change: callers (a credential's
 * project, until it expires, any token or session changes or the project is written through this
 * server) and answers (the ETag of a project's
 * URL, shared by everyone who polls it, so that after a change the first poll to come through the
 * route makes it valid again for all the others); beside them the answers' bytes, within a budget,
 * so that a poller without the ETag yet (a page just opened, a log's next page) is answered too.
 */
export class PollCache {
  constructor(private readonly limits = { entries: 200_000, changedScopes: 200_000, bodyBytes: 64_000_000 }) {}

  /** Bumped by every change; a request remembers the value it started at. */
  private seq = 0;
  /** When notifications became audible; Infinity while they are not. */
  private listeningSince = Number.POSITIVE_INFINITY;
  /** The last change of each scope; a scope not listed last changed at `floor` or before. */
  private readonly changedAt = new Map<string, number>();
  private floor = 0;
  private readonly callers = new Map<string, Caller>();
  private readonly answers = new Map<string, Answer>();
  private readonly bodies = new Map<string, KeptBody>();
  private bodyBytes = 0;

  get listening(): boolean {
    return this.listeningSince !== Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.callers.size + this.answers.size;
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

  /**
   * A request that started at `start` found that `caller` (callerKey) is of `projectId` until
   * `expiresAt`, and that the answer for `answerKey` (a project's URL at an origin) has `etag`,
   * resting on `scopes`. Each is kept unless something it rests on changed since `start`.
   */
  remember(options: {
    start: number;
    caller: string;
    projectId: number;
    expiresAt: number;
    answerKey: string;
    etag: string;
    scopes: string[];
    body?: { headers: [string, string][]; bytes: ArrayBuffer };
  }): void {
    const { start, answerKey: key, etag } = options;
    if (start < this.listeningSince) return;
    this.put(this.callers, options.caller, { start, scopes: [scopes.everything, scopes.project(options.projectId)], projectId: options.projectId, expiresAt: options.expiresAt });
    this.put(this.answers, key, { start, scopes: [scopes.everything, scopes.project(options.projectId), ...options.scopes], etag });
    if (options.body && this.answers.get(key)?.etag === etag && this.bodies.get(key)?.etag !== etag) {
      this.keepBody(key, { etag, headers: options.body.headers, bytes: Buffer.from(options.body.bytes) });
    }
  }

  /**
   * What a caller's GET of a URL (`answerKey(projectId)`) would be answered now, as far as the
   * cache knows: the answer's key, its ETag (null: not known now) and its bytes when kept. Null:
   * the caller is not known.
   */
  lookup(caller: string, answerKey: (projectId: number) => string, now = Date.now()): { key: string; etag: string | null; body: KeptBody | null } | null {
    const who = this.valid(this.callers, caller);
    if (!who) return null;
    if (now >= who.expiresAt) {
      this.callers.delete(caller);
      return null;
    }
    const key = answerKey(who.projectId);
    const answer = this.valid(this.answers, key);
    if (!answer) return { key, etag: null, body: null };
    const body = this.bodies.get(key);
    return { key, etag: answer.etag, body: body?.etag === answer.etag ? body : null };
  }

  private keepBody(key: string, body: KeptBody): void {
    if (body.bytes.byteLength > this.limits.bodyBytes / 100) return;
    this.dropBody(key);
    this.bodies.set(key, body);
    this.bodyBytes += body.bytes.byteLength;
    for (const oldest of this.bodies.keys()) {
      if (this.bodyBytes <= this.limits.bodyBytes) break;
      this.dropBody(oldest);
    }
  }

  private dropBody(key: string): void {
    const body = this.bodies.get(key);
    if (!body) return;
    this.bodies.delete(key);
    this.bodyBytes -= body.bytes.byteLength;
  }

  private put<E extends Valid>(map: Map<string, E>, key: string, entry: E): void {
    if (!this.fresh(entry)) return;
    map.delete(key);
    map.set(key, entry);
    if (map.size > this.limits.entries) dropOldest(map, this.limits.entries / 10);
  }

  private valid<E extends Valid>(map: Map<string, E>, key: string): E | null {
    const entry = map.get(key);
    if (!entry) return null;
    if (this.fresh(entry)) return entry;
    map.delete(key);
    return null;
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

  private fresh(entry: Valid): boolean {
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
    this.callers.clear();
    this.answers.clear();
    this.bodies.clear();
    this.bodyBytes = 0;
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

/** A caller, as the poll cache knows it: its credential (token or session), hashed. Null: none. */
export function callerKey(credential: { token: string | null; session: string | null }): string | null {
  const text = credential.token !== null ? `t${credential.token.trim()}` : credential.session ? `s${credential.session}` : null;
  return text === null ? null : createHash("sha256").update(text).digest("base64url");
}

/** One answer, whoever asks: a project's URL, at the origin its JSON's URLs use. */
export function answerKey(parts: { projectId: number; origin: string; url: string }): string {
  return `${parts.projectId} ${parts.origin} ${parts.url}`;
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

/**
 * The embedded database: every writer (the routes, the in-process workers) is in this process and
 * on PGlite's one connection, where the triggers' NOTIFYs come back, so the cache hears them all
 * from the moment the LISTEN is in place. Returns a function that stops it.
 */
export function listenOnEmbedded(handle: Pick<DbHandle, "listen">, log: (message: string) => void = console.log): () => Promise<void> {
  const cache = pollCache();
  const stop = listenEmbedded(handle, CHANGES_CHANNEL, (payload) => cache.changed(payload), {
    log: (message) => log(`[server] the poll cache stays off: ${message}`),
    onListening: () => cache.listen(),
  });
  return async () => {
    cache.deaf();
    await stop();
  };
}
