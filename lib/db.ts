import "server-only";
import { createRequire } from "node:module";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/env";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;
/** The client or an open interactive transaction: what functions that may run inside one accept. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

export type DbTarget = { kind: "pglite"; dir?: string } | { kind: "postgresql"; url: string; poolSize?: number };

export type DbHandle = {
  db: Db;
  target: DbTarget;
  close(): Promise<void>;
  /**
   * The embedded database only: hears what its own triggers NOTIFY (there is one connection, so no
   * LISTEN connection beside it). PostgreSQL is listened to on a connection of its own (lib/pg-listen.ts).
   */
  listen?: (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;
};

/**
 * What a client runs on underneath Prisma, for the few paths Prisma cannot carry: Storage's bulk
 * loads and exports stream through COPY (lib/storage/copy.ts), which Prisma's raw queries cannot.
 */
export type DbDriver = { kind: "postgresql"; url: string } | { kind: "pglite"; pglite: PGlite };

const drivers = new WeakMap<Db, DbDriver>();

/** Records what `db` runs on (openDb does it; a test that builds its own client calls it too). */
export function registerDriver(db: Db, driver: DbDriver): void {
  drivers.set(db, driver);
}

/** What `db` runs on, or null for a client opened elsewhere (its callers take the Prisma path). */
export function driverOf(db: Db): DbDriver | null {
  return drivers.get(db) ?? null;
}

// PGlite and its adapter load only when a PGlite database is opened: a process on PostgreSQL (a
// worker, the server) does not carry them (under tsx their modules alone are ≈ 45 MB of RSS).
const requireModule = createRequire(import.meta.url);

/** Opens a Prisma client on PGlite (a folder, or memory when `dir` is absent) or on PostgreSQL. */
export function openDb(target: DbTarget): DbHandle {
  if (target.kind === "postgresql") {
    const adapter = new PrismaPg({ connectionString: target.url, max: target.poolSize ?? 10 });
    const db = new PrismaClient({ adapter });
    registerDriver(db, { kind: "postgresql", url: target.url });
    return { db, target, close: () => db.$disconnect() };
  }
  const { PGlite } = requireModule("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const { PrismaPGlite } = requireModule("pglite-prisma-adapter") as typeof import("pglite-prisma-adapter");
  const pglite = new PGlite(target.dir);
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  registerDriver(db, { kind: "pglite", pglite });
  return {
    db,
    target,
    async close() {
      await db.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
  };
}

export function targetFromEnv(): DbTarget {
  return env.DATABASE_URL ? { kind: "postgresql", url: env.DATABASE_URL } : { kind: "pglite", dir: env.pgliteDir };
}

// One client per process; kept on globalThis so Next's dev reloads do not open a second PGlite.
const holder = globalThis as unknown as { __jobdeckDb?: DbHandle };

export function db(): Db {
  holder.__jobdeckDb ??= openDb(targetFromEnv());
  return holder.__jobdeckDb.db;
}

/** The process-wide handle: where it points, and (embedded) how to hear its notifications. */
export function dbHandle(): DbHandle {
  db();
  return holder.__jobdeckDb!;
}

/** Tests and scripts point the process-wide client somewhere else (a fresh database). */
export function useDb(handle: DbHandle): void {
  holder.__jobdeckDb = handle;
}

export async function closeDb(): Promise<void> {
  const handle = holder.__jobdeckDb;
  holder.__jobdeckDb = undefined;
  await handle?.close();
}

type WrappedError = { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } }; cause?: unknown };

/** `error` and the errors it wraps (`cause`), outermost first. */
function* errorChain(error: unknown): Generator<WrappedError> {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    yield e as WrappedError;
    e = (e as WrappedError).cause;
  }
}

/**
 * Every code a database error carries, outermost first: at each level the driver adapter's kind,
 * its SQLSTATE or errno, then Prisma's own code (P…).
 */
export function databaseErrorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (const e of errorChain(error)) {
    const adapter = e.meta?.driverAdapterError?.cause;
    for (const code of [adapter?.kind, adapter?.originalCode, adapter?.code, e.code]) if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** Prisma's code for a known request error (P2002 unique violation, P2025 not found, …), else null. */
export function prismaErrorCode(error: unknown): string | null {
  return error instanceof Prisma.PrismaClientKnownRequestError ? error.code : null;
}

// Driver errors that mean "the database is not there right now" (down, restarting, connection cut),
// as opposed to a bad query: adapter kinds, 57P01 admin shutdown, 57P02 crash shutdown, 57P03
// starting up / shutting down, Prisma's connection codes and socket errnos.
const UNAVAILABLE_CODES = new Set([
  "DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections",
  "57P01", "57P02", "57P03", "P1001", "P1002", "P1008", "P1017", "ECONNREFUSED", "ECONNRESET",
]);
const UNAVAILABLE_MESSAGE = /Connection terminated|not queryable|Can't reach database server|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

/** True when `error` says the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (databaseErrorCodes(error).some((code) => UNAVAILABLE_CODES.has(code))) return true;
  return [...errorChain(error)].some((e) => typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message));
}
