// The one module that reads process.env. Everything else imports `env` from here.
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  JOBDECK_DATA_DIR: z.string().min(1).default(".data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // The address the web server listens on: 127.0.0.1 on the embedded database (one person's
  // machine), every interface on PostgreSQL. HOST=0.0.0.0 exposes an embedded server.
  HOST: z.string().min(1).optional(),
  // Proxies in front whose X-Forwarded-For/-Host/-Proto count: a hop count or CIDRs (lib/net/client-address.ts).
  JOBDECK_TRUST_PROXY: z.string().optional(),
  // Where this server is reached; components resolve relative URLs (the demo's CSVs) against it.
  JOBDECK_PUBLIC_URL: z.string().url().optional(),
  // Hosts, IPs and CIDRs (comma-separated) components and webhooks may reach though they are private
  // or loopback (lib/net/outbound.ts); everything public is allowed anyway.
  JOBDECK_OUTBOUND_ALLOW_HOSTS: z.string().optional(),
  JOBDECK_WEBHOOK_ALLOW_HOSTS: z.string().optional(),
  JOBDECK_DEMO_TOKEN: z.string().min(16, "JOBDECK_DEMO_TOKEN must be at least 16 characters").optional(),
  // Worker slots inside the web process; 0 runs the web process without workers.
  JOBDECK_IN_PROCESS_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  // `npm run worker`: jobs run at once per process, and an optional port for GET /health.
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // Seconds a worker's claim lasts without a heartbeat; attempts before a lost job ends in error.
  JOBDECK_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(15),
  JOBDECK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  // How often (ms) a worker host's scheduling loop looks for due schedules at most (it also wakes
  // at the next slot); 0 runs no scheduling loop in this process.
  JOBDECK_SCHEDULER_TICK_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  // The largest file an upload may be (bytes); larger ones are cut off with a 413.
  JOBDECK_MAX_FILE_BYTES: z.coerce.number().int().min(1).default(20 * 1024 ** 3),
  // A trickle of new demo jobs so the dashboard is alive; 0 turns it off.
  JOBDECK_DEMO_ACTIVITY: z.enum(["0", "1"]).default("1"),
  // Set by Next.js while it builds; nothing may start then.
  NEXT_PHASE: z.string().optional(),
  // One-click sign-in to the demo project; by default only with the embedded database listening on
  // loopback, and then only for clients on this machine. "1" offers it to everyone.
  JOBDECK_DEMO_SIGNIN: z.enum(["0", "1"]).optional(),
  // Process components (worker/runtime): the sandbox ("auto" uses bubblewrap when it works here),
  // where data folders and unpacked code live, and the SIGTERM → SIGKILL grace of a terminate.
  JOBDECK_SANDBOX: z.enum(["auto", "bwrap", "none"]).default("auto"),
  JOBDECK_RUN_DIR: z.string().min(1).optional(),
  JOBDECK_KILL_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  // 32 bytes, base64: the key that encrypts configuration values whose key starts with "#".
  // Unset: one is generated once into JOBDECK_DATA_DIR/secret-key (set it for workers on other machines).
  JOBDECK_SECRET_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "JOBDECK_SECRET_KEY must be 32 bytes in base64").optional(),
  // Notifications (lib/notifications): the SMTP server e-mails go through (smtp://user:pass@host:587,
  // smtps://… for TLS; unset: no e-mail), their From, how long a delivery is retried before it is
  // marked failed, and how long one attempt may take.
  JOBDECK_SMTP_URL: z.string().regex(/^smtps?:\/\//, "JOBDECK_SMTP_URL must be an smtp:// or smtps:// URL").optional(),
  JOBDECK_SMTP_FROM: z.string().min(3).default("Jobdeck <jobdeck@localhost>"),
  JOBDECK_NOTIFY_RETRY_SECONDS: z.coerce.number().int().min(0).max(7 * 86_400).default(3600),
  JOBDECK_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Files in an S3-compatible store (AWS S3, MinIO, R2, Ceph) instead of JOBDECK_DATA_DIR/files:
  // set the bucket to turn it on. Endpoint: unset for AWS itself. Keys: unset for the SDK's default
  // chain (instance role, AWS_* variables). Path-style addressing for MinIO and most self-hosted stores.
  JOBDECK_S3_ENDPOINT: z.string().url().optional(),
  JOBDECK_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "JOBDECK_S3_BUCKET must be an S3 bucket name").optional(),
  JOBDECK_S3_REGION: z.string().min(1).default("us-east-1"),
  JOBDECK_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  JOBDECK_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  JOBDECK_S3_FORCE_PATH_STYLE: z.enum(["0", "1"]).optional(),
  // The folder csv_file_load (POST /api/operations) may read server-side CSV files from; unset: none.
  JOBDECK_CSV_LOAD_DIR: z.string().min(1).optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type S3Config = {
  endpoint: string | undefined;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
};

export type Env = z.infer<typeof schema> & {
  dataDir: string;
  pgliteDir: string;
  filesDir: string;
  database: "postgresql" | "pglite";
  demoSignIn: boolean;
  /** The demo sign-in is open to clients that are not on this machine (JOBDECK_DEMO_SIGNIN=1). */
  demoSignInAnywhere: boolean;
  /** Where the web server listens; undefined: every interface. */
  host: string | undefined;
  inProcessWorkers: number;
  publicUrl: string;
  outboundAllowHosts: string[];
  webhookAllowHosts: string[];
  /** The S3-compatible Files backend, or null for the local files folder. */
  s3: S3Config | null;
  csvLoadDir: string | null;
  /** Data folders of running jobs and unpacked component code (outside the data dir: the sandbox user reads it). */
  runDir: string;
};

function readEnv(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  const dataDir = path.resolve(parsed.data.JOBDECK_DATA_DIR);
  const host = parsed.data.HOST ?? (parsed.data.DATABASE_URL ? undefined : "127.0.0.1");
  const d = parsed.data;
  if (!d.JOBDECK_S3_BUCKET && (d.JOBDECK_S3_ENDPOINT || d.JOBDECK_S3_ACCESS_KEY_ID)) {
    throw new Error("Invalid environment: JOBDECK_S3_BUCKET is required when JOBDECK_S3_ENDPOINT or JOBDECK_S3_ACCESS_KEY_ID is set");
  }
  if (!d.JOBDECK_S3_ACCESS_KEY_ID !== !d.JOBDECK_S3_SECRET_ACCESS_KEY) {
    throw new Error("Invalid environment: JOBDECK_S3_ACCESS_KEY_ID and JOBDECK_S3_SECRET_ACCESS_KEY go together");
  }
  return {
    ...parsed.data,
    dataDir,
    pgliteDir: path.join(dataDir, "pglite"),
    filesDir: path.join(dataDir, "files"),
    s3: d.JOBDECK_S3_BUCKET
      ? {
          endpoint: d.JOBDECK_S3_ENDPOINT,
          bucket: d.JOBDECK_S3_BUCKET,
          region: d.JOBDECK_S3_REGION,
          credentials: d.JOBDECK_S3_ACCESS_KEY_ID ? { accessKeyId: d.JOBDECK_S3_ACCESS_KEY_ID, secretAccessKey: d.JOBDECK_S3_SECRET_ACCESS_KEY! } : undefined,
          forcePathStyle: d.JOBDECK_S3_FORCE_PATH_STYLE === "1",
        }
      : null,
    csvLoadDir: d.JOBDECK_CSV_LOAD_DIR ? path.resolve(d.JOBDECK_CSV_LOAD_DIR) : null,
    database: parsed.data.DATABASE_URL ? "postgresql" : "pglite",
    demoSignIn: parsed.data.JOBDECK_DEMO_SIGNIN ? parsed.data.JOBDECK_DEMO_SIGNIN === "1" : !parsed.data.DATABASE_URL && isLoopbackHost(host),
    demoSignInAnywhere: parsed.data.JOBDECK_DEMO_SIGNIN === "1",
    host,
    // The embedded database has no other processes to run jobs; on PostgreSQL `npm run worker` adds more.
    inProcessWorkers: parsed.data.JOBDECK_IN_PROCESS_WORKERS ?? (parsed.data.DATABASE_URL ? 2 : 4),
    runDir: path.resolve(parsed.data.JOBDECK_RUN_DIR ?? path.join(os.tmpdir(), `jobdeck-run-${process.getuid?.() ?? "user"}`)),
    outboundAllowHosts: hostList(parsed.data.JOBDECK_OUTBOUND_ALLOW_HOSTS),
    webhookAllowHosts: hostList(parsed.data.JOBDECK_WEBHOOK_ALLOW_HOSTS),
    publicUrl: (parsed.data.JOBDECK_PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`).replace(/\/$/, ""),
  };
}

function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && (host === "localhost" || host === "::1" || /^127\./.test(host));
}

function hostList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
}

export const env: Env = readEnv();

/** The URL Prisma's CLI migrates. The embedded database is addressed as host `pglite`,
 *  which prisma/schema-engine.mjs opens with PGlite instead of a network connection. */
export function migrationDatabaseUrl(e: Env = env): string {
  return e.DATABASE_URL ?? `postgresql://pglite/jobdeck?dir=${encodeURIComponent(e.pgliteDir)}`;
}
