import pg from "pg";
import type { DbHandle } from "@/lib/db";

/**
 * LISTENs on PostgreSQL channels, reconnecting with backoff when the database goes away: `heard`
 * runs once the channels are listened to (anything sent before was missed), `lost` when the
 * connection ends. Returns a function that stops it.
 */
export function listenToChannels(
  url: string,
  options: {
    channels: string[];
    onNotification: (channel: string, payload: string) => void;
    heard?: () => void;
    lost?: () => void;
    log?: (message: string) => void;
  },
): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | null = null;
  let delay = 250;
  const connect = async () => {
    while (!stopped) {
      const c = new pg.Client({ connectionString: url });
      try {
        await c.connect();
        c.on("notification", (n) => options.onNotification(n.channel, n.payload ?? ""));
        c.on("error", () => undefined);
        const ended = new Promise<void>((resolve) => c.once("end", () => resolve()));
        await c.query(options.channels.map((channel) => `LISTEN ${channel};`).join(" "));
        client = c;
        delay = 250;
        options.heard?.();
        await ended;
        client = null;
        options.lost?.();
        if (!stopped) options.log?.("notification connection closed; reconnecting");
      } catch {
        options.lost?.();
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

/**
 * Hears `channel` on the embedded database's own connection (DbHandle.listen): a failure to listen
 * is logged and leaves it deaf, `onListening` runs once it hears. Returns a stop that waits for the
 * subscription first. Nothing to hear without `listen`: PostgreSQL is heard by listenToChannels above.
 */
export function listenEmbedded(
  handle: Pick<DbHandle, "listen">,
  channel: string,
  onPayload: (payload: string) => void,
  { log, onListening }: { log: (message: string) => void; onListening?: () => void },
): () => Promise<void> {
  const { listen } = handle;
  if (!listen) return async () => undefined;
  const subscribed = listen(channel, onPayload)
    .then((unlisten) => {
      onListening?.();
      return unlisten;
    })
    .catch((error: unknown) => {
      log(`listening on the embedded database failed: ${(error as Error).message}`);
      return null;
    });
  return async () => void (await (await subscribed)?.().catch(() => undefined));
}
