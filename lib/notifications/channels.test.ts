import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendWebhook } from "./channels";
import type { DeliveryFacts } from "./payload";

// A receiver that answers 200 with a short body of declared length, and counts its connections.
let connections = 0;
const ids: string[] = [];
const server = http.createServer((request, response) => {
  ids.push(String(request.headers["x-jobdeck-delivery"]));
  request.resume();
  request.on("end", () => response.writeHead(200, { "Content-Type": "text/plain" }).end("ok"));
});
server.on("connection", () => connections++);
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const facts = (deliveryId: string): DeliveryFacts => ({
  deliveryId,
  event: "job-failed",
  project: { id: 1, name: "p" },
  job: null,
  test: true,
  details: {},
  errors: [],
  jobPageUrl: null,
  created: new Date(),
});

it("sends the next delivery to a receiver on the connection of the last: its short answer is read to the end, not cut off", async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const policy = { allowHosts: ["127.0.0.1"] };
  const sent = ["a", "b", "c"].map((n) => `00000000-0000-0000-0000-00000000000${n}`);
  for (const id of sent) {
    expect(await sendWebhook({ url, format: "json", secret: "s", facts: facts(id), timeoutMs: 5_000, policy })).toEqual({ ok: true, statusCode: 200, error: null, retryable: false });
  }
  expect(ids).toEqual(sent);
  expect(connections).toBe(1);
});

it("does not wait for an answer that never ends: the connection is cut and the delivery counts as sent", async () => {
  let closed = false;
  const endless = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { "Content-Type": "text/plain" });
    const drip = setInterval(() => response.write("."), 20);
    response.on("close", () => {
      clearInterval(drip);
      closed = true;
    });
  });
  await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/hook`;
    // A deadline far beyond the test's own timeout: only cutting the answer off lets this end.
    const outcome = await sendWebhook({ url, format: "json", secret: "s", facts: facts("00000000-0000-0000-0000-00000000000d"), timeoutMs: 120_000, policy: { allowHosts: ["127.0.0.1"] } });
    expect(outcome).toEqual({ ok: true, statusCode: 200, error: null, retryable: false });
    await expect.poll(() => closed).toBe(true);
  } finally {
    endless.closeAllConnections();
    await new Promise<void>((resolve) => endless.close(() => resolve()));
  }
});
