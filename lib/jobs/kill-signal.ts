import "server-only";
import { EventEmitter } from "node:events";
import pg from "pg";
import type { DbClient } from "@/lib/db";

// Signals between the API and workers: "these jobs were asked to stop", "new work is queued" and
// "a Storage job is queued".
// Inside one process an EventEmitter carries them; across processes PostgreSQL NOTIFY does, so a
// worker on another machine hears a kill within milliseconds instead of at its next poll.

export const KILL_CHANNEL = "jobdeck_kill";
export const WORK_CHANNEL = "jobdeck_work";
export const STORAGE_CHANNEL = "jobdeck_storage";

const bus = new EventEmitter();
bus.setMaxListeners(0);

export async function publishKill(db: DbClient, jobIds: bigint[]): Promise<void> {
  if (jobIds.length === 0) return;
  const payload = jobIds.join(",");
  bus.emit(KILL_CHANNEL, payload);
  await db.$executeRaw`SELECT pg_notify(${KILL_CHANNEL}, ${payload})`;
}

export async function publishWork(db: DbClient): Promise<void> {
  bus.emit(WORK_CHANNEL, "");
  await db.$executeRaw`SELECT pg_notify(${WORK_CHANNEL}, '')`;
}

/** A Storage job was queued: an idle storage slot looks at once instead of at its next poll. */
export async function publishStorageWork(db: DbClient): Promise<void> {
  bus.emit(STORAGE_CHANNEL, "");
  await db.$executeRaw`SELECT pg_notify(${STORAGE_CHANNEL}, '')`;
}

export function onStorageWork(listener: () => void): () => void {
  bus.on(STORAGE_CHANNEL, listener);
  return () => bus.off(STORAGE_CHANNEL, listener);
}

export function onKill(listener: (jobIds: string[]) => void): () => void {
  const handler = (payload: string) => listener(payload.split(",").filter(Boolean));
  bus.on(KILL_CHANNEL, handler);
  return () => bus.off(KILL_CHANNEL, handler);
}

export function onWork(listener: () => void): () => void {
  bus.on(WORK_CHANNEL, listener);
  return () => bus.off(WORK_CHANNEL, listener);
}

/**
 * Relays NOTIFYs from PostgreSQL onto the in-process bus, reconnecting with backoff when the
 * database goes away. Returns a function that stops it.
 */
export function relayNotifications(url: string, log: (message: string) => void = () => undefined): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | null = null;
  let delay = 250;
  const connect = async () => {
    while (!stopped) {
      const c = new pg.Client({ connectionString: url });
      try {
        await c.connect();
        c.on("notification", (n) => bus.emit(n.channel, n.payload ?? ""));
        c.on("error", () => undefined);
        await c.query(`LISTEN ${KILL_CHANNEL}; LISTEN ${WORK_CHANNEL}; LISTEN ${STORAGE_CHANNEL}`);
        client = c;
        delay = 250;
        // Something may have been missed while disconnected: let workers look now.
        bus.emit(WORK_CHANNEL, "");
        bus.emit(STORAGE_CHANNEL, "");
        await new Promise<void>((resolve) => c.once("end", () => resolve()));
        client = null;
        if (!stopped) log("notification connection closed; reconnecting");
      } catch {
        await c.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  };
  void connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}
