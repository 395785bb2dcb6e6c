import pg from "pg";

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
