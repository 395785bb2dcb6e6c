import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { env } from "@/lib/env";
import { forbiddenAddressReason, outboundFetch, outboundPolicy, OutboundRefusedError } from "./outbound";

// Two servers on loopback: "inside" stands for a service that listens only on 127.0.0.1 (its
// secret must never leak), "outside" for the host the operator allowed.
const hits: string[] = [];
let inside: http.Server;
let outside: http.Server;
let insidePort = 0;
let outsidePort = 0;

beforeAll(async () => {
  inside = http.createServer((req, res) => {
    hits.push(`inside ${req.method} ${req.url}`);
    res.end("the secret");
  });
  outside = http.createServer((req, res) => {
    hits.push(`outside ${req.method} ${req.url}`);
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/to-inside") return res.writeHead(302, { location: `http://127.0.0.1:${insidePort}/secret` }).end();
    if (url.pathname === "/to-inside-by-name") return res.writeHead(301, { location: `http://localhost:${insidePort}/secret` }).end();
    if (url.pathname === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    if (url.pathname === "/hop") return res.writeHead(Number(url.searchParams.get("status")), { location: "/echo" }).end();
    if (url.pathname === "/echo") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })));
      return;
    }
    res.end("a,b\n1,2\n");
  });
  await new Promise<void>((r) => inside.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => outside.listen(0, "127.0.0.1", r));
  insidePort = (inside.address() as AddressInfo).port;
  outsidePort = (outside.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => inside.close(r));
  await new Promise((r) => outside.close(r));
});

afterEach(() => {
  hits.length = 0;
  vi.restoreAllMocks();
});

const refused = async (promise: Promise<unknown>, reason: RegExp) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRefusedError);
  expect((error as OutboundRefusedError).code).toBe("outbound.refused");
  expect((error as OutboundRefusedError).reason).toMatch(reason);
  return error as OutboundRefusedError;
};

describe("forbiddenAddressReason", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.8.9.10", /loopback/],
    ["10.1.2.3", /private/],
    ["172.20.0.1", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["169.254.169.254", /metadata/],
    ["169.254.3.4", /link-local/],
    ["0.0.0.0", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::", /unspecified/],
    ["::1", /loopback/],
    ["::ffff:127.0.0.1", /IPv4-mapped/],
    ["::ffff:8.8.8.8", /IPv4-mapped/],
    ["fd00:ec2::254", /metadata/],
    ["fd12:3456::1", /unique local/],
    ["fe80::1", /link-local/],
    ["ff02::1", /multicast/],
  ])("refuses %s", (address, reason) => {
    expect(forbiddenAddressReason(address)).toMatch(reason);
  });

  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])("allows the public address %s", (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });
});

describe("outboundFetch", () => {
  it("refuses a loopback service by IP and by a name that resolves to it, before connecting", async () => {
    await refused(outboundFetch(`http://127.0.0.1:${insidePort}/secret`, { policy: { allowHosts: [] } }), /loopback address \(127\.0\.0\.1\)/);
    await refused(outboundFetch(`http://localhost:${insidePort}/secret`, { policy: { allowHosts: [] } }), /localhost is a loopback address/);
    await refused(outboundFetch(`http://[::1]:${insidePort}/secret`, { policy: { allowHosts: [] } }), /loopback/);
    await refused(outboundFetch(`http://[::ffff:127.0.0.1]:${insidePort}/secret`, { policy: { allowHosts: [] } }), /IPv4-mapped/);
    await refused(outboundFetch(`http://2130706433:${insidePort}/secret`, { policy: { allowHosts: [] } }), /loopback/);
    expect(hits).toEqual([]);
  });

  it("reaches what the operator allows: an IP, a CIDR, a name, a name with its port only", async () => {
    for (const allowHosts of [["127.0.0.1"], ["127.0.0.0/8"], ["localhost"], [`localhost:${outsidePort}`]]) {
      const response = await outboundFetch(`http://localhost:${outsidePort}/data.csv`, { policy: { allowHosts } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("a,b\n1,2\n");
      expect(response.url).toBe(`http://localhost:${outsidePort}/data.csv`);
    }
    await refused(outboundFetch(`http://localhost:${insidePort}/secret`, { policy: { allowHosts: [`localhost:${outsidePort}`] } }), /loopback/);
    expect(hits).toEqual(Array(4).fill("outside GET /data.csv"));
  });

  it("checks every redirect: an allowed host cannot send the request on to a loopback service", async () => {
    const policy = { allowHosts: [`localhost:${outsidePort}`] };
    const byIp = await refused(outboundFetch(`http://localhost:${outsidePort}/to-inside`, { policy }), /loopback/);
    expect(byIp.url).toBe(`http://127.0.0.1:${insidePort}/secret`);
    await refused(outboundFetch(`http://localhost:${outsidePort}/to-inside-by-name`, { policy }), /loopback/);
    await refused(outboundFetch(`http://localhost:${outsidePort}/loop`, { policy, maxRedirects: 3 }), /more than 3 redirects/);
    expect(hits.filter((hit) => hit.startsWith("inside"))).toEqual([]);
    expect(hits.filter((hit) => hit === "outside GET /loop")).toHaveLength(4);
  });

  it("follows allowed redirects as fetch does: 307 keeps the body, 303 turns into GET, credentials stay on their origin", async () => {
    const policy = { allowHosts: ["127.0.0.1"] };
    const post = (status: number) =>
      outboundFetch(`http://127.0.0.1:${outsidePort}/hop?status=${status}`, { policy, method: "POST", body: "hello", headers: { authorization: "Bearer x" } });
    expect(await (await post(307)).json()).toEqual({ method: "POST", body: "hello", auth: "Bearer x" });
    expect(await (await post(303)).json()).toEqual({ method: "GET", body: "", auth: "Bearer x" });
    const manual = await outboundFetch(`http://127.0.0.1:${outsidePort}/to-inside`, { policy, redirect: "manual" });
    expect(manual.status).toBe(302);
    const crossOrigin = await outboundFetch(`http://127.0.0.1:${outsidePort}/hop?status=302`, {
      policy: { allowHosts: ["127.0.0.1", "localhost"] },
      headers: { authorization: "Bearer x" },
    });
    expect((await crossOrigin.json()).auth).toBe("Bearer x"); // same origin
  });

  it("checks every address a name resolves to, and connects only to a checked one", async () => {
    const lookup = vi.spyOn(dns, "lookup").mockImplementation(((_host: string, _options: unknown, callback: (e: null, a: dns.LookupAddress[]) => void) =>
      callback(null, [
        { address: "127.0.0.1", family: 4 },
        { address: "127.0.0.2", family: 4 },
      ])) as never);
    await refused(outboundFetch(`http://rebind.example:${outsidePort}/`, { policy: { allowHosts: ["127.0.0.1"] } }), /rebind\.example is a loopback address \(127\.0\.0\.2\)/);
    expect(lookup).toHaveBeenCalled();
    expect(hits).toEqual([]);
  });

  it("keeps a connection for the next request to the same host: one connection and one look-up for three requests", async () => {
    const policy = { allowHosts: [`localhost:${outsidePort}`] };
    const lookup = vi.spyOn(dns, "lookup");
    let connections = 0;
    const counted = () => connections++;
    outside.on("connection", counted);
    try {
      for (let i = 0; i < 3; i++) expect(await (await outboundFetch(`http://localhost:${outsidePort}/data.csv`, { policy })).text()).toBe("a,b\n1,2\n");
      expect(connections).toBe(1);
      expect(lookup).toHaveBeenCalledTimes(1);
      // The pool is no way past the guard: another port of the same host, on the same policy, is checked.
      await refused(outboundFetch(`http://localhost:${insidePort}/secret`, { policy }), /loopback/);
      expect(hits.filter((hit) => hit.startsWith("inside"))).toEqual([]);
    } finally {
      outside.off("connection", counted);
    }
  });

  it("refuses other schemes and credentials in the URL; times out a silent server", async () => {
    await refused(outboundFetch("file:///etc/passwd", { policy: { allowHosts: [] } }), /only http and https/);
    await refused(outboundFetch(`http://user:pw@127.0.0.1:${outsidePort}/`, { policy: { allowHosts: ["127.0.0.1"] } }), /credentials/);
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      await refused(outboundFetch(`http://127.0.0.1:${port}/`, { policy: { allowHosts: ["127.0.0.1"] }, timeoutMs: 200 }), /no answer within 200 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it("passes an abort through as the caller's reason", async () => {
    const controller = new AbortController();
    controller.abort(new Error("job killed"));
    await expect(outboundFetch(`http://127.0.0.1:${outsidePort}/`, { policy: { allowHosts: ["127.0.0.1"] }, signal: controller.signal })).rejects.toThrow("job killed");
  });
});

describe("outboundPolicy", () => {
  it("lets components reach this server's own public URL, with its port, and what the operator allows", () => {
    const own = new URL(env.publicUrl);
    expect(outboundPolicy("components").allowHosts).toContain(`${own.hostname}:${own.port || "80"}`);
    expect(outboundPolicy("webhooks").allowHosts).not.toContain(`${own.hostname}:${own.port || "80"}`);
  });
});
