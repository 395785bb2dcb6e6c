import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { Readable } from "node:stream";
import { env } from "@/lib/env";

// The one way server code makes a request to a URL a user chose (components' downloads, webhooks).
// Private, loopback, link-local, CGNAT, multicast and metadata addresses are refused after DNS
// resolution: the socket connects to the very address that was checked (a `lookup` hook), so DNS
// rebinding cannot swap it, and every redirect is checked again before it is followed.

export type OutboundPolicy = {
  /** Host names (`example.com`, `*.example.com`, `host:port`), IP addresses and CIDRs the operator allows. */
  allowHosts: readonly string[];
};

export class OutboundRefusedError extends Error {
  readonly code = "outbound.refused";
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Refused to connect to ${url}: ${reason}.`);
    this.name = "OutboundRefusedError";
  }
}

/** The policy for components (which may always reach this server's own public URL) or webhooks. */
export function outboundPolicy(kind: "components" | "webhooks"): OutboundPolicy {
  if (kind === "webhooks") return { allowHosts: env.webhookAllowHosts };
  const own = new URL(env.publicUrl);
  return { allowHosts: [...env.outboundAllowHosts, `${own.hostname}:${own.port || defaultPort(own.protocol)}`] };
}

type Range = { list: net.BlockList; family: "ipv4" | "ipv6"; reason: string };

const FORBIDDEN: Range[] = ([
  ["0.0.0.0/8", "an unspecified address"],
  ["10.0.0.0/8", "a private address"],
  ["100.64.0.0/10", "a carrier-grade NAT address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.169.254/32", "a cloud metadata address"],
  ["169.254.0.0/16", "a link-local address"],
  ["172.16.0.0/12", "a private address"],
  ["192.0.0.0/24", "a reserved address"],
  ["192.0.2.0/24", "a documentation address"],
  ["192.168.0.0/16", "a private address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["198.51.100.0/24", "a documentation address"],
  ["203.0.113.0/24", "a documentation address"],
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved address"],
  ["::/128", "an unspecified address"],
  ["::1/128", "a loopback address"],
  ["::ffff:0:0/96", "an IPv4-mapped IPv6 address"],
  ["::/96", "an IPv4-compatible IPv6 address"],
  ["64:ff9b::/96", "a NAT64 address"],
  ["64:ff9b:1::/48", "a NAT64 address"],
  ["100::/64", "a discard address"],
  ["2001:db8::/32", "a documentation address"],
  ["2002::/16", "a 6to4 address"],
  ["fd00:ec2::254/128", "a cloud metadata address"],
  ["fc00::/7", "a private (unique local) address"],
  ["fe80::/10", "a link-local address"],
  ["fec0::/10", "a site-local address"],
  ["ff00::/8", "a multicast address"],
] as const).map(([cidr, reason]) => {
  const list = new net.BlockList();
  const [address = "", prefix] = cidr.split("/");
  const family = net.isIPv6(address) ? "ipv6" : "ipv4";
  list.addSubnet(address, Number(prefix), family);
  return { list, family, reason };
});

/** Why this IP address may not be reached from here, or null when it may. */
export function forbiddenAddressReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 6 ? "ipv6" : "ipv4";
  // A BlockList also matches IPv4 rules against IPv4-mapped IPv6 addresses and back: keep to one family.
  return FORBIDDEN.find((range) => range.family === type && range.list.check(address, type))?.reason ?? null;
}

type CompiledPolicy = { names: string[]; suffixes: string[]; addresses: net.BlockList; agents: { http: http.Agent; https: https.Agent } };
const compiled = new WeakMap<OutboundPolicy, CompiledPolicy>();

function compile(policy: OutboundPolicy): CompiledPolicy {
  const known = compiled.get(policy);
  if (known) return known;
  const result: CompiledPolicy = { names: [], suffixes: [], addresses: new net.BlockList(), agents: keepAliveAgents() };
  for (const raw of policy.allowHosts) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (!entry) continue;
    const [address = "", prefix] = entry.split("/");
    if (prefix !== undefined && net.isIP(address) && /^\d+$/.test(prefix)) {
      result.addresses.addSubnet(address, Number(prefix), net.isIPv6(address) ? "ipv6" : "ipv4");
    } else if (net.isIP(entry)) {
      result.addresses.addAddress(entry, net.isIPv6(entry) ? "ipv6" : "ipv4");
    } else if (entry.startsWith("*.")) {
      result.suffixes.push(entry.slice(1));
    } else {
      result.names.push(entry);
    }
  }
  compiled.set(policy, result);
  return result;
}

// How long an idle connection is kept for the next request to the same host (less if the server
// announces less in Keep-Alive, which Node's agent honours).
const IDLE_SOCKET_MS = 4_000;

/**
 * Connections kept open between requests, one pool per policy: a webhook receiver gets the next
 * delivery on the connection of the last one, without a new connection (and DNS look-up) each.
 * The guard holds: a pooled socket was connected through `checkedLookup` (or a checked literal)
 * under the same policy and host, so it reaches an address that was checked; a socket whose request
 * timed out or was aborted is destroyed, never pooled.
 */
function keepAliveAgents(): CompiledPolicy["agents"] {
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}

/** The operator allowed this URL's host by name (`host` or `host:port`): its addresses are not checked. */
function hostAllowed(url: URL, policy: CompiledPolicy): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const withPort = `${host}:${url.port || defaultPort(url.protocol)}`;
  return policy.names.includes(host) || policy.names.includes(withPort) || policy.suffixes.some((suffix) => host.endsWith(suffix));
}

function checkAddress(url: URL, address: string, policy: CompiledPolicy): void {
  const family = net.isIP(address);
  if (family && policy.addresses.check(address, family === 6 ? "ipv6" : "ipv4")) return;
  const reason = forbiddenAddressReason(address);
  if (reason) throw new OutboundRefusedError(url.href, `${url.hostname} is ${reason} (${address})`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for the socket: resolves, refuses when any address is forbidden, hands the checked ones on. */
function checkedLookup(url: URL, policy: CompiledPolicy, skipCheck: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      try {
        if (addresses.length === 0) throw new OutboundRefusedError(url.href, `${hostname} has no address`);
        if (!skipCheck) for (const { address } of addresses) checkAddress(url, address, policy);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, "");
      }
      const [first] = addresses;
      if (options.all) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
    });
  };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * fetch() through the guard. `timeoutMs` bounds the wait for each response's headers (the body is
 * bounded by `signal`); redirects are followed here, each one checked, up to `maxRedirects`
 * (`redirect: "manual"` hands the first redirect back instead, `"error"` refuses it).
 */
export async function outboundFetch(
  url: string | URL,
  init: RequestInit & { policy: OutboundPolicy; timeoutMs?: number; maxRedirects?: number },
): Promise<Response> {
  const { policy, timeoutMs = 30_000, maxRedirects = 5, redirect = "follow", signal, ...rest } = init;
  const rules = compile(policy);
  let current = new URL(url);
  let method = (rest.method ?? "GET").toUpperCase();
  let headers = new Headers(rest.headers);
  let body: Buffer | null = null;
  if (rest.body !== undefined && rest.body !== null) {
    // Read once so a 307/308 can send it again; Request sets the Content-Type of FormData and the like.
    const request = new Request(current, { method, headers, body: rest.body, duplex: "half" } as RequestInit);
    headers = new Headers(request.headers);
    body = Buffer.from(await request.arrayBuffer());
  }
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, { method, headers, body, signal: signal ?? undefined, timeoutMs }, rules);
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null || redirect === "manual") return response;
    await response.body?.cancel();
    if (redirect === "error") throw new OutboundRefusedError(current.href, `it redirects to ${location}`);
    if (hop >= maxRedirects) throw new OutboundRefusedError(current.href, `more than ${maxRedirects} redirects`);
    const next = new URL(location, current);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = null;
      headers.delete("content-type");
      headers.delete("content-length");
    }
    // Credentials meant for one origin do not follow a redirect to another (as fetch does).
    if (next.origin !== current.origin) for (const name of ["authorization", "cookie", "proxy-authorization"]) headers.delete(name);
    current = next;
  }
}

type OneRequest = { method: string; headers: Headers; body: Buffer | null; signal?: AbortSignal; timeoutMs: number };

function requestOnce(url: URL, options: OneRequest, policy: CompiledPolicy): Promise<Response> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new OutboundRefusedError(url.href, `only http and https URLs are allowed, not ${url.protocol}`));
  }
  if (url.username || url.password) {
    return Promise.reject(new OutboundRefusedError(url.href, "credentials in the URL are not allowed"));
  }
  const skipCheck = hostAllowed(url, policy);
  // A literal IP never goes through `lookup`: check it here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (net.isIP(literal) && !skipCheck) {
    try {
      checkAddress(url, literal, policy);
    } catch (refused) {
      return Promise.reject(refused);
    }
  }
  options.signal?.throwIfAborted();
  return new Promise<Response>((resolve, reject) => {
    const headers: Record<string, string> = {};
    options.headers.forEach((value, name) => (headers[name] = value));
    if (options.body) headers["content-length"] = String(options.body.length);
    const secure = url.protocol === "https:";
    const request = (secure ? https : http).request(url, {
      method: options.method,
      headers,
      // Used for each new connection the agent makes; a pooled one was made the same way.
      lookup: checkedLookup(url, policy, skipCheck) as unknown as net.LookupFunction,
      signal: options.signal,
      agent: secure ? policy.agents.https : policy.agents.http,
    });
    const timer = setTimeout(() => request.destroy(new OutboundRefusedError(url.href, `no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.once("error", (error) => {
      clearTimeout(timer);
      reject(options.signal?.aborted ? options.signal.reason : error);
    });
    request.once("response", (incoming) => {
      clearTimeout(timer);
      const responseHeaders = new Headers();
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1] ?? "");
      const status = incoming.statusCode ?? 502;
      const empty = options.method === "HEAD" || status === 204 || status === 205 || status === 304;
      if (empty) incoming.resume();
      const response = new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
        status,
        statusText: incoming.statusMessage,
        headers: responseHeaders,
      });
      Object.defineProperty(response, "url", { value: url.href });
      resolve(response);
    });
    request.end(options.body ?? undefined);
  });
}
