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
  // Where this server is reached; components resolve relative URLs (the demo's CSVs) against it.
  JOBDECK_PUBLIC_URL: z.string().url().optional(),
  JOBDECK_DEMO_TOKEN: z.string().min(16, "JOBDECK_DEMO_TOKEN must be at least 16 characters").optional(),
  // Worker slots inside the web process; 0 runs the web process without workers.
  JOBDECK_IN_PROCESS_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  // `npm run worker`: jobs run at once per process, and an optional port for GET /health.
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // Seconds a worker's claim lasts without a heartbeat; attempts before a lost job ends in error.
  JOBDECK_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(15),
  JOBDECK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  // The largest file an upload may be (bytes); larger ones are cut off with a 413.
  JOBDECK_MAX_FILE_BYTES: z.coerce.number().int().min(1).default(20 * 1024 ** 3),
  // A trickle of new demo jobs so the dashboard is alive; 0 turns it off.
  JOBDECK_DEMO_ACTIVITY: z.enum(["0", "1"]).default("1"),
  // Set by Next.js while it builds; nothing may start then.
  NEXT_PHASE: z.string().optional(),
  // One-click sign-in to the demo project; on by default only with the embedded database.
  JOBDECK_DEMO_SIGNIN: z.enum(["0", "1"]).optional(),
  // Process components (worker/runtime): the sandbox ("auto" uses bubblewrap when it works here),
  // where data folders and unpacked code live, and the SIGTERM → SIGKILL grace of a terminate.
  JOBDECK_SANDBOX: z.enum(["auto", "bwrap", "none"]).default("auto"),
  JOBDECK_RUN_DIR: z.string().min(1).optional(),
  JOBDECK_KILL_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  // 32 bytes, base64: the key that encrypts configuration values whose key starts with "#".
  // Unset: one is generated once into JOBDECK_DATA_DIR/secret-key (set it for workers on other machines).
  JOBDECK_SECRET_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "JOBDECK_SECRET_KEY must be 32 bytes in base64").optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof schema> & {
  dataDir: string;
  pgliteDir: string;
  filesDir: string;
  database: "postgresql" | "pglite";
  demoSignIn: boolean;
  inProcessWorkers: number;
  publicUrl: string;
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
  return {
    ...parsed.data,
    dataDir,
    pgliteDir: path.join(dataDir, "pglite"),
    filesDir: path.join(dataDir, "files"),
    database: parsed.data.DATABASE_URL ? "postgresql" : "pglite",
    demoSignIn: parsed.data.JOBDECK_DEMO_SIGNIN ? parsed.data.JOBDECK_DEMO_SIGNIN === "1" : !parsed.data.DATABASE_URL,
    // The embedded database has no other processes to run jobs; on PostgreSQL `npm run worker` adds more.
    inProcessWorkers: parsed.data.JOBDECK_IN_PROCESS_WORKERS ?? (parsed.data.DATABASE_URL ? 2 : 4),
    runDir: path.resolve(parsed.data.JOBDECK_RUN_DIR ?? path.join(os.tmpdir(), `jobdeck-run-${process.getuid?.() ?? "user"}`)),
    publicUrl: (parsed.data.JOBDECK_PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`).replace(/\/$/, ""),
  };
}

export const env: Env = readEnv();

/** The URL Prisma's CLI migrates. The embedded database is addressed as host `pglite`,
 *  which prisma/schema-engine.mjs opens with PGlite instead of a network connection. */
export function migrationDatabaseUrl(e: Env = env): string {
  return e.DATABASE_URL ?? `postgresql://pglite/jobdeck?dir=${encodeURIComponent(e.pgliteDir)}`;
}
