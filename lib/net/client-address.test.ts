import { describe, expect, it } from "vitest";
import { isLoopback, normalizeAddress, parseTrustProxy, resolveClient } from "./client-address";

describe("resolveClient", () => {
  it("trusts no forwarding header by default: the peer is the client, however X-Forwarded-For is rotated", () => {
    for (const forged of ["1.2.3.4", "5.6.7.8, 9.9.9.9", "garbage"]) {
      expect(resolveClient({ peer: "203.0.113.7", forwardedFor: forged, realIp: "4.4.4.4", trust: parseTrustProxy(undefined) })).toEqual({ address: "203.0.113.7", trustedPeer: false });
    }
    expect(resolveClient({ peer: "::ffff:127.0.0.1", trust: null })).toEqual({ address: "127.0.0.1", trustedPeer: false });
  });

  it("with a hop count, takes the address that many proxies back", () => {
    const one = parseTrustProxy("1");
    expect(resolveClient({ peer: "10.0.0.2", forwardedFor: "6.6.6.6, 198.51.100.9", trust: one })).toEqual({ address: "198.51.100.9", trustedPeer: true });
    const two = parseTrustProxy("2");
    expect(resolveClient({ peer: "10.0.0.2", forwardedFor: "6.6.6.6, 198.51.100.9, 10.0.0.3", trust: two }).address).toBe("198.51.100.9");
    expect(resolveClient({ peer: "10.0.0.2", realIp: "198.51.100.4", trust: one }).address).toBe("198.51.100.4");
  });

  it("with CIDRs, skips every trusted hop from the right; a client cannot prepend its way in", () => {
    const trust = parseTrustProxy("10.0.0.0/8, loopback");
    expect(resolveClient({ peer: "127.0.0.1", forwardedFor: "6.6.6.6, 198.51.100.9, 10.1.1.1", trust })).toEqual({ address: "198.51.100.9", trustedPeer: true });
    expect(resolveClient({ peer: "203.0.113.1", forwardedFor: "6.6.6.6", trust })).toEqual({ address: "203.0.113.1", trustedPeer: false });
    expect(resolveClient({ peer: "10.0.0.1", forwardedFor: "not-an-ip, 198.51.100.9", trust }).address).toBe("198.51.100.9");
  });

  it("refuses a JOBDECK_TRUST_PROXY it cannot read", () => {
    expect(() => parseTrustProxy("proxy.example")).toThrow(/JOBDECK_TRUST_PROXY/);
    expect(parseTrustProxy("0")).toBeNull();
  });

  it("normalizes addresses and knows loopback", () => {
    expect(normalizeAddress("[::1]:443")).toBe("::1");
    expect(normalizeAddress("1.2.3.4:80")).toBe("1.2.3.4");
    expect(normalizeAddress("nope")).toBeNull();
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::ffff:127.0.0.5")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("192.168.1.2")).toBe(false);
  });
});
