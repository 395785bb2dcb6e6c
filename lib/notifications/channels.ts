import "server-only";
// The two ways a delivery goes out. Each answers how the attempt went, and whether trying again
// could help; neither throws. A hanging receiver is cut off by `timeoutMs`.
import nodemailer, { type Transporter, type TransportOptions } from "nodemailer";
import { env } from "@/lib/env";
import { type OutboundPolicy, OutboundRefusedError, outboundFetch } from "@/lib/net/outbound";
import { type DeliveryFacts, emailMessage, slackPayload, webhookPayload } from "@/lib/notifications/payload";
import { isRetryableStatus } from "@/lib/notifications/retry";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signPayload } from "@/lib/notifications/signature";

export type AttemptOutcome = { ok: boolean; statusCode: number | null; error: string | null; retryable: boolean };

export const EMAIL_NOT_CONFIGURED = "E-mail is not set up on this server: set JOBDECK_SMTP_URL (smtp://user:password@host:587) for the web server and the workers, and restart them.";

export function emailConfigured(): boolean {
  return Boolean(env.JOBDECK_SMTP_URL);
}

export async function sendWebhook(options: { url: string; format: string; secret: string; facts: DeliveryFacts; timeoutMs: number; policy: OutboundPolicy }): Promise<AttemptOutcome> {
  const { facts } = options;
  const body = JSON.stringify(options.format === "slack" ? slackPayload(facts) : webhookPayload(facts));
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await outboundFetch(options.url, {
      method: "POST",
      policy: options.policy,
      // Our own deadline for the whole attempt, so that a timeout reads as one (retried), not as a refusal.
      signal: AbortSignal.timeout(options.timeoutMs),
      timeoutMs: options.timeoutMs + 1_000,
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Jobdeck-Webhooks/1",
        [DELIVERY_HEADER]: facts.deliveryId,
        [EVENT_HEADER]: facts.event,
        [SIGNATURE_HEADER]: signPayload({ secret: options.secret, body, timestamp }),
      },
      body,
    });
    await discardAnswer(response);
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status, error: null, retryable: false };
    if (response.status >= 300 && response.status < 400) return { ok: false, statusCode: response.status, error: `The receiver answered ${response.status} (a redirect); webhooks do not follow redirects, give the final URL.`, retryable: false };
    return { ok: false, statusCode: response.status, error: `The receiver answered ${response.status} ${response.statusText}`.trim(), retryable: isRetryableStatus(response.status) };
  } catch (error) {
    if (error instanceof OutboundRefusedError) return { ok: false, statusCode: null, error: `Refused: ${error.reason}`, retryable: false };
    return { ok: false, statusCode: null, error: networkMessage(error, options.timeoutMs), retryable: true };
  }
}

// How much of an answer is read, and for how long, before the connection is cut instead.
const READ_ANSWER_BYTES = 64 * 1024;
const READ_ANSWER_MS = 1_000;

/**
 * Lets go of an answer's body. A short one (most receivers answer a few bytes, often chunked) is
 * read to its end so that its kept-alive connection can carry the next delivery; past 64 KiB or
 * 1 s the connection is cut: a receiver streaming forever must not hold the sender. The status
 * alone decides the outcome, whatever happens to the body.
 */
async function discardAnswer(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  // Cancelling ends a read still waiting (it answers done) and destroys the connection.
  const cut = setTimeout(() => void reader.cancel().catch(() => undefined), READ_ANSWER_MS);
  try {
    for (let read = 0; read <= READ_ANSWER_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // Cut off by the attempt's deadline or the receiver: the status is in already.
  } finally {
    clearTimeout(cut);
  }
}

function networkMessage(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `No answer within ${timeoutMs} ms (cut off).`;
  const cause = e.cause?.code ?? e.cause?.message;
  return `The request failed: ${e.message ?? "network error"}${cause ? ` (${cause})` : ""}`;
}

let transport: Transporter | null = null;
let transportKey = "";

export type SmtpSettings = { url: string | undefined; from: string };

function mailer(url: string, timeoutMs: number): Transporter {
  const key = `${url}|${timeoutMs}`;
  if (!transport || transportKey !== key) {
    transport?.close();
    transport = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: 4,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as TransportOptions);
    transportKey = key;
  }
  return transport;
}

export async function sendEmail(options: { address: string; facts: DeliveryFacts; timeoutMs: number; smtp: SmtpSettings }): Promise<AttemptOutcome> {
  if (!options.smtp.url) return { ok: false, statusCode: null, error: EMAIL_NOT_CONFIGURED, retryable: false };
  const message = emailMessage(options.facts);
  try {
    await mailer(options.smtp.url, options.timeoutMs).sendMail({
      from: options.smtp.from,
      to: options.address,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { [DELIVERY_HEADER]: options.facts.deliveryId, [EVENT_HEADER]: options.facts.event },
      messageId: `<${options.facts.deliveryId}@jobdeck>`,
    });
    return { ok: true, statusCode: 250, error: null, retryable: false };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
    // 5xx is the server refusing the message for good; 4xx and connection trouble may pass later.
    if (e.responseCode) return { ok: false, statusCode: e.responseCode, error: `The SMTP server refused: ${e.response ?? e.message}`, retryable: e.responseCode < 500 };
    return { ok: false, statusCode: null, error: `Sending the e-mail failed: ${e.message ?? "unknown error"}${e.code ? ` (${e.code})` : ""}`, retryable: true };
  }
}
