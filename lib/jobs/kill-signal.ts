import "server-only";
import { EventEmitter } from "node:events";
import type { DbClient } from "@/lib/db";
import { listenToChannels } from "@/lib/pg-listen";

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
  return listenToChannels(url, {
    channels: [KILL_CHANNEL, WORK_CHANNEL, STORAGE_CHANNEL],
    onNotification: (channel, payload) => bus.emit(channel, payload),
    // Something may have been missed while disconnected: let workers look now.
    heard: () => {
      bus.emit(WORK_CHANNEL, "");
      bus.emit(STORAGE_CHANNEL, "");
    },
    log,
  });
}
