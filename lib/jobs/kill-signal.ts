import "server-only";
import { EventEmitter } from "node:events";
import type { DbClient, DbHandle } from "@/lib/db";
import { listenEmbedded, listenToChannels } from "@/lib/pg-listen";

// Signals between the API and workers: "these jobs were asked to stop", "new work is queued",
// "a Storage job is queued" and "a notification delivery is due" (sent by the database itself: a
// trigger on "NotificationDelivery", prisma/migrations/*_notification_wake).
// Inside one process an EventEmitter carries them; across processes PostgreSQL NOTIFY does, so a
// worker on another machine hears a kill within milliseconds instead of at its next poll.
// The emitter is one per process, kept on globalThis: Next.js bundles this module into the API
// routes and into the in-process workers (instrumentation) separately, and on the embedded database
// no NOTIFY crosses between those copies, so a module-level emitter left kills to the next heartbeat.

export const KILL_CHANNEL = "jobdeck_kill";
export const WORK_CHANNEL = "jobdeck_work";
export const STORAGE_CHANNEL = "jobdeck_storage";
export const DELIVERY_CHANNEL = "jobdeck_deliveries";

const BUS = Symbol.for("jobdeck.bus");
const bus: EventEmitter = ((globalThis as { [BUS]?: EventEmitter })[BUS] ??= new EventEmitter().setMaxListeners(0));

/** Sends a signal to this process at once and, through PostgreSQL, to every other. */
async function publish(db: DbClient, channel: string, payload: string): Promise<void> {
  bus.emit(channel, payload);
  await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
}

function subscribe(channel: string, listener: (payload: string) => void): () => void {
  bus.on(channel, listener);
  return () => bus.off(channel, listener);
}

export async function publishKill(db: DbClient, jobIds: bigint[]): Promise<void> {
  if (jobIds.length > 0) await publish(db, KILL_CHANNEL, jobIds.join(","));
}

export const publishWork = (db: DbClient) => publish(db, WORK_CHANNEL, "");

/** A Storage job was queued: an idle storage slot looks at once instead of at its next poll. */
export const publishStorageWork = (db: DbClient) => publish(db, STORAGE_CHANNEL, "");

export const onKill = (listener: (jobIds: string[]) => void) => subscribe(KILL_CHANNEL, (payload) => listener(payload.split(",").filter(Boolean)));

export const onWork = (listener: () => void) => subscribe(WORK_CHANNEL, () => listener());

export const onStorageWork = (listener: () => void) => subscribe(STORAGE_CHANNEL, () => listener());

/** A delivery became due (its NOTIFY, relayed): an idle sender claims at once instead of at its next poll. */
export const onDeliveriesDue = (listener: () => void) => subscribe(DELIVERY_CHANNEL, () => listener());

/**
 * Relays the database's NOTIFYs onto the in-process bus. PostgreSQL: every channel, on a LISTEN
 * connection that reconnects with backoff when the database goes away. The embedded database is
 * this process's alone, and what the app publishes reaches the bus directly (publish above): only
 * what its triggers send is relayed, from PGlite's own connection. Returns a function that stops it.
 */
export function relayNotifications(handle: Pick<DbHandle, "target" | "listen">, log: (message: string) => void = () => undefined): () => Promise<void> {
  if (handle.target.kind === "pglite") {
    return listenEmbedded(handle, DELIVERY_CHANNEL, (payload) => bus.emit(DELIVERY_CHANNEL, payload), { log });
  }
  return listenToChannels(handle.target.url, {
    channels: [KILL_CHANNEL, WORK_CHANNEL, STORAGE_CHANNEL, DELIVERY_CHANNEL],
    onNotification: (channel, payload) => bus.emit(channel, payload),
    // Something may have been missed while disconnected: let workers and senders look now.
    heard: () => {
      bus.emit(WORK_CHANNEL, "");
      bus.emit(STORAGE_CHANNEL, "");
      bus.emit(DELIVERY_CHANNEL, "");
    },
    log,
  });
}
