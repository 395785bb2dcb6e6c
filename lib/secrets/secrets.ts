// Configuration values whose key starts with "#" (Keboola's convention) are secrets: encrypted at
// rest with AES-256-GCM, shown as "***" everywhere, decrypted only into a running component's
// config.json. The project id is bound into every ciphertext (GCM's additional data), so a value
// copied into another project's configuration does not decrypt there.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

/** Keboola's prefix for project-encrypted values; clients recognise it as "already encrypted". */
export const SECRET_PREFIX = "KBC::ProjectSecure::";
export const MASK = "***";

export const isSecretKey = (key: string) => key.startsWith("#");
export const isEncrypted = (value: unknown): value is string => typeof value === "string" && value.startsWith(SECRET_PREFIX);

let cachedKey: Buffer | null = null;

/** JOBDECK_SECRET_KEY, or a key generated once into the data folder (0600). */
export function secretKey(): Buffer {
  if (cachedKey) return cachedKey;
  if (env.JOBDECK_SECRET_KEY) return (cachedKey = Buffer.from(env.JOBDECK_SECRET_KEY, "base64"));
  const file = path.join(env.dataDir, "secret-key");
  fs.mkdirSync(env.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in base64`);
  return (cachedKey = key);
}

export function encryptValue(plain: string, projectId: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", secretKey(), iv);
  cipher.setAAD(Buffer.from(`project:${projectId}`));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return SECRET_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export class SecretError extends Error {}

export function decryptValue(stored: string, projectId: number): string {
  const raw = Buffer.from(stored.slice(SECRET_PREFIX.length), "base64");
  if (raw.length < 28) throw new SecretError("an encrypted value is damaged");
  try {
    const decipher = createDecipheriv("aes-256-gcm", secretKey(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`project:${projectId}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretError("an encrypted value cannot be decrypted in this project (it was encrypted elsewhere or with another key)");
  }
}

type Json = unknown;

/** Walks a JSON value, giving each string under a "#" key (at any depth) to `onSecret`. */
function mapSecrets(value: Json, onSecret: (value: string, at: string[]) => Json, at: string[] = []): Json {
  if (Array.isArray(value)) return value.map((v, i) => mapSecrets(v, onSecret, [...at, String(i)]));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) && typeof v === "string" ? onSecret(v, [...at, key]) : mapSecrets(v, onSecret, [...at, key]);
  }
  return out;
}

function valueAt(value: Json, at: string[]): Json {
  let here = value;
  for (const key of at) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string, Json>)[key];
  }
  return here;
}

/**
 * What is stored: every plain "#" value encrypted; an already encrypted one kept; "***" (what a client
 * read and sends back unchanged) keeps the value stored before at the same place.
 */
export function encryptSecrets<T extends Json>(value: T, options: { projectId: number; previous?: Json }): T {
  return mapSecrets(value, (v, at) => {
    if (isEncrypted(v)) return v;
    if (v === MASK) {
      const before = valueAt(options.previous, at);
      if (isEncrypted(before)) return before;
    }
    return encryptValue(v, options.projectId);
  }) as T;
}

/** What anyone reads: every "#" value as "***". */
export function maskSecrets<T extends Json>(value: T): T {
  return mapSecrets(value, () => MASK) as T;
}

/** What a debug snapshot keeps: "#" values removed. */
export function removeSecrets<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => removeSecrets(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) if (!(isSecretKey(key) && typeof v === "string")) out[key] = removeSecrets(v);
  return out as T;
}

/** The running component's view: every "#" value decrypted, and the plain values to redact from its output. */
export function decryptSecrets<T extends Json>(value: T, projectId: number): { value: T; secrets: string[] } {
  const secrets: string[] = [];
  const plain = mapSecrets(value, (v) => {
    const decrypted = isEncrypted(v) ? decryptValue(v, projectId) : v;
    if (decrypted.length > 0) secrets.push(decrypted);
    return decrypted;
  }) as T;
  return { value: plain, secrets };
}

/** Replaces every occurrence of the secrets in a text with "***" (longest first, so no prefix leaks). */
export function redactor(secrets: string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  };
}
