import net from "node:net";

// Who is calling, as far as this server can know: the socket's peer, or — only when the operator
// says a proxy sits in front (JOBDECK_TRUST_PROXY, Express's convention: a hop count or a list of
// CIDRs) — the address that proxy put in X-Forwarded-For. The HTTP server (server/main.ts) decides
// once per request, drops the forwarding headers of an untrusted peer (a client could forge them:
// X-Forwarded-Host feeds the same-origin check) and hands the answer on in CLIENT_ADDRESS_HEADER.

export const CLIENT_ADDRESS_HEADER = "x-jobdeck-client-address";

/** Headers only a trusted proxy may set. */
export const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"] as const;

export type TrustProxy = { hops: number } | { cidrs: net.BlockList } | null;

const ALIASES: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** Parses JOBDECK_TRUST_PROXY: unset or "0" trusts no proxy; "1" the one in front; "10.0.0.0/8, loopback" those networks. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "0" || text === "false") return null;
  if (/^\d+$/.test(text)) return { hops: Number(text) };
  const cidrs = new net.BlockList();
  for (const raw of text.split(",").flatMap((entry) => ALIASES[entry.trim().toLowerCase()] ?? [entry.trim()])) {
    if (!raw) continue;
    const [address = "", prefix] = raw.split("/");
    const family = net.isIP(address);
    if (family === 0) throw new Error(`JOBDECK_TRUST_PROXY: "${raw}" is not a hop count, an IP address, a CIDR or loopback/linklocal/uniquelocal`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) cidrs.addAddress(address, type);
    else cidrs.addSubnet(address, Number(prefix), type);
  }
  return { cidrs };
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; "[::1]:80" or "1.2.3.4:80" → the address; null when it is none. */
export function normalizeAddress(value: string | undefined): string | null {
  if (!value) return null;
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  if (text.toLowerCase().startsWith("::ffff:") && net.isIPv4(text.slice(7))) text = text.slice(7);
  return net.isIP(text) ? text : null;
}

function isTrusted(trust: TrustProxy, address: string, index: number): boolean {
  if (trust === null) return false;
  if ("hops" in trust) return index < trust.hops;
  return trust.cidrs.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");
}

/**
 * The client's address and whether the peer is a proxy we trust (then its X-Forwarded-Host/-Proto
 * hold). The chain is the peer, then X-Forwarded-For from right to left; every trusted hop is skipped.
 */
export function resolveClient(options: { peer: string | undefined; forwardedFor?: string; realIp?: string; trust: TrustProxy }): { address: string; trustedPeer: boolean } {
  const peer = normalizeAddress(options.peer) ?? "unknown";
  const trustedPeer = isTrusted(options.trust, peer, 0);
  if (!trustedPeer) return { address: peer, trustedPeer };
  const forwarded = (options.forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean).reverse();
  if (forwarded.length === 0 && options.realIp) forwarded.push(options.realIp);
  let address = peer;
  for (let i = 0; i < forwarded.length; i++) {
    const hop = normalizeAddress(forwarded[i]);
    if (hop === null) break; // garbage in the header: the last good hop is as far as we know
    address = hop;
    if (!isTrusted(options.trust, hop, i + 1)) break;
  }
  return { address, trustedPeer };
}

/** Loopback: this machine. Demo sign-in is offered only to it unless the operator turns it on. */
export function isLoopback(address: string): boolean {
  const normalized = normalizeAddress(address);
  if (normalized === null) return false;
  return normalized === "::1" || (net.isIPv4(normalized) && normalized.startsWith("127."));
}
