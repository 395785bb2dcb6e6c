import "server-only";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { env } from "@/lib/env";
import { type Prisma, PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;
/** The client or an open interactive transaction: what functions that may run inside one accept. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

export type DbTarget = { kind: "pglite"; dir?: string } | { kind: "postgresql"; url: string; poolSize?: number };

export type DbHandle = { db: Db; target: DbTarget; close(): Promise<void> };

/** Opens a Prisma client on PGlite (a folder, or memory when `dir` is absent) or on PostgreSQL. */
export function openDb(target: DbTarget): DbHandle {
  if (target.kind === "postgresql") {
    const adapter = new PrismaPg({ connectionString: target.url, max: target.poolSize ?? 10 });
    const db = new PrismaClient({ adapter });
    return { db, target, close: () => db.$disconnect() };
  }
  const pglite = new PGlite(target.dir);
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    db,
    target,
    async close() {
      await db.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
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

/** Tests and scripts point the process-wide client somewhere else (a fresh database). */
export function useDb(handle: DbHandle): void {
  holder.__jobdeckDb = handle;
}

export async function closeDb(): Promise<void> {
  const handle = holder.__jobdeckDb;
  holder.__jobdeckDb = undefined;
  await handle?.close();
}

// Driver errors that mean "the database is not there right now" (down, restarting, connection cut),
// as opposed to a bad query: 57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up / shutting down.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const UNAVAILABLE_CODES = new Set(["57P01", "57P02", "57P03", "P1001", "P1002", "P1008", "P1017", "ECONNREFUSED", "ECONNRESET"]);
const UNAVAILABLE_MESSAGE = /Connection terminated|not queryable|Can't reach database server|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

/** True when `error` says the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const x = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string; originalCode?: string } } }; cause?: unknown };
    const adapter = x.meta?.driverAdapterError?.cause;
    if (adapter?.kind && UNAVAILABLE_KINDS.has(adapter.kind)) return true;
    if (UNAVAILABLE_CODES.has(String(adapter?.originalCode ?? adapter?.code ?? x.code))) return true;
    if (typeof x.message === "string" && UNAVAILABLE_MESSAGE.test(x.message)) return true;
    e = x.cause;
  }
  return false;
}
