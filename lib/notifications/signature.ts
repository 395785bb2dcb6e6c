// Webhook signatures: HMAC-SHA256 over `${timestamp}.${body}` with the subscription's secret, sent as
//   X-Jobdeck-Signature: t=<unix seconds>,v1=<hex>
// A receiver recomputes it over the raw body and refuses an old timestamp (a replayed delivery).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Jobdeck-Signature";
export const DELIVERY_HEADER = "X-Jobdeck-Delivery";
export const EVENT_HEADER = "X-Jobdeck-Event";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

export function signPayload(options: { secret: string; body: string; timestamp: number }): string {
  const mac = createHmac("sha256", options.secret).update(`${options.timestamp}.${options.body}`).digest("hex");
  return `t=${options.timestamp},v1=${mac}`;
}

/** Checks a signature header against the raw body; `toleranceSeconds` bounds how old it may be. */
export function verifySignature(options: { secret: string; body: string; header: string; now?: number; toleranceSeconds?: number }): boolean {
  const parts = Object.fromEntries(options.header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload({ secret: options.secret, body: options.body, timestamp }).split("v1=")[1]!, "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
