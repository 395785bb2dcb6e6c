// A local webhook receiver and a local SMTP server for the notification tests.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type Received = { headers: http.IncomingHttpHeaders; body: string; path: string; at: number };
/** What the receiver does with a request: answer a status, close the connection, or never answer. */
export type Behaviour = number | "close" | "hang";

export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  /** How the next requests are answered, one each, then 200. */
  next: (...behaviours: Behaviour[]) => void;
  /** Forgets behaviours not used up. */
  reset: () => void;
  stop(): Promise<void>;
}> {
  const received: Received[] = [];
  const queue: Behaviour[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), path: request.url ?? "/", at: Date.now() });
      const behaviour = queue.shift() ?? 200;
      if (behaviour === "close") request.socket.destroy();
      else if (behaviour === "hang") hanging.add(response);
      else response.writeHead(behaviour, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    next: (...behaviours) => queue.push(...behaviours),
    reset: () => queue.splice(0),
    async stop() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Mail = { from: string; to: string[]; raw: string };

export async function startSmtp(): Promise<{ url: string; mails: Mail[]; refuseNext: (count: number, code?: number) => void; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  let refusals = 0;
  let refusalCode = 550;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refusals > 0) {
          refusals--;
          const error = Object.assign(new Error("Mailbox unavailable: refused by the test"), { responseCode: refusalCode });
          return callback(error);
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuseNext: (count, code = 550) => {
      refusals = count;
      refusalCode = code;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
