// `prisma migrate deploy` through scripts/prisma.mjs (what our npm scripts run), with the project's
// real prisma.config.ts and prisma/migrations, on (a) a fresh PGlite folder and (b) a fresh,
// randomly named PostgreSQL database. Checks the databases themselves, not just the CLI output.
//
// PostgreSQL: TEST_DATABASE_URL (an admin URL) or postgresql://postgres@127.0.0.1:5432/postgres;
// that part is skipped, with a message, only if PostgreSQL does not answer.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, createDatabase, postgresAnswers } from "../test/postgres";

const root = fileURLToPath(new URL("..", import.meta.url));
const migrationsDir = path.join(root, "prisma", "migrations");
const schemaFile = path.join(root, "prisma", "schema.prisma");
const LOCK_FILE = ".prisma-schema-engine.lock"; // held by prisma/schema-engine.mjs while a PGlite folder is open
const TIMEOUT = 180_000;

/** Every migration folder the CLI will see (it applies folders in name order). */
const migrationNames = fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, "migration.sql")))
  .map((d) => d.name)
  .sort((a, b) => a.localeCompare(b));

/** Tables the schema says must exist: one per model (honouring @@map), plus Prisma's own table. */
function expectedTables(): string[] {
  const schema = fs.readFileSync(schemaFile, "utf8");
  const tables = [...schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(
    ([, name = "", body = ""]) => /@@map\(\s*(?:name:\s*)?"([^"]+)"\s*\)/.exec(body)?.[1] ?? name,
  );
  return [...tables, "_prisma_migrations"].sort();
}

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

function prisma(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "scripts", "prisma.mjs"), ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT - 5_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: `$ prisma ${args.join(" ")}\n${output}`, ms: Date.now() - started });
    });
  });
}

type Row = Record<string, unknown>;
type Query = (sql: string) => Promise<Row[]>;

interface MigrationRow {
  id: string;
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  applied_steps_count: number;
  logs: string | null;
}

const MIGRATIONS_SQL = `SELECT id, migration_name, finished_at, rolled_back_at, applied_steps_count, logs
  FROM _prisma_migrations ORDER BY migration_name, started_at`;
const TABLES_SQL = `SELECT table_name FROM information_schema.tables
  WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;

/**
 * The same checks for both databases. `env` selects the database for the project's prisma.config.ts;
 * `withDb` opens it for inspection (and closes it again before the next CLI run).
 */
function deploySuite(env: () => NodeJS.ProcessEnv, withDb: <T>(fn: (q: Query) => Promise<T>) => Promise<T>, label: string) {
  let firstRun: MigrationRow[] = [];

  it("first deploy applies every migration folder, each finished", { timeout: TIMEOUT }, async () => {
    const run = await prisma(["migrate", "deploy"], env());
    console.info(`[${label}] first migrate deploy: ${run.ms} ms`);
    expect(run.code, run.output).toBe(0);
    for (const name of migrationNames) expect(run.output, run.output).toContain(name);

    firstRun = (await withDb((q) => q(MIGRATIONS_SQL))) as unknown as MigrationRow[];
    expect(firstRun.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of firstRun) {
      expect(row.finished_at, `${row.migration_name} finished_at`).not.toBeNull();
      expect(row.rolled_back_at, `${row.migration_name} rolled_back_at`).toBeNull();
      expect(row.logs, `${row.migration_name} logs`).toBeNull();
      expect(Number(row.applied_steps_count), `${row.migration_name} applied_steps_count`).toBe(1);
    }
  });

  it("creates a table for every model in prisma/schema.prisma", { timeout: TIMEOUT }, async () => {
    const tables = (await withDb((q) => q(TABLES_SQL))).map((r) => String(r.table_name));
    expect(tables).toEqual(expect.arrayContaining(expectedTables()));
  });

  it("a second deploy applies nothing and leaves the history untouched", { timeout: TIMEOUT }, async () => {
    const run = await prisma(["migrate", "deploy"], env());
    console.info(`[${label}] second migrate deploy (nothing to apply): ${run.ms} ms`);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("No pending migrations to apply");
    const rows = (await withDb((q) => q(MIGRATIONS_SQL))) as unknown as MigrationRow[];
    expect(rows.map((r) => [r.id, r.migration_name, String(r.finished_at)])).toEqual(
      firstRun.map((r) => [r.id, r.migration_name, String(r.finished_at)]),
    );
  });

  it("migrate status reports the database up to date", { timeout: TIMEOUT }, async () => {
    const run = await prisma(["migrate", "status"], env());
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("Database schema is up to date");
  });

  it("the migrated database matches prisma/schema.prisma (no drift)", { timeout: TIMEOUT }, async () => {
    const run = await prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "prisma/schema.prisma", "--exit-code"], env());
    expect(run.code, run.output).toBe(0);
  });
}

// ---------------------------------------------------------------------------------------------
describe("migrate deploy on a fresh PGlite folder", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-migrate-test-"));
  });
  afterAll(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // DATABASE_URL empty: the project's config then uses PGlite inside JOBDECK_DATA_DIR.
  const env = () => ({ ...process.env, DATABASE_URL: "", JOBDECK_DATA_DIR: dataDir });

  /** The PGlite folder the config created somewhere inside JOBDECK_DATA_DIR. */
  function pgliteDir(): string {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (fs.existsSync(path.join(dir, "PG_VERSION"))) found.push(dir);
      else if (depth > 0) for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(path.join(dir, d.name), depth - 1);
    };
    walk(dataDir, 3);
    expect(found, `one PGlite folder inside ${dataDir}`).toHaveLength(1);
    return found[0]!;
  }

  async function withDb<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    const dir = pgliteDir();
    // scripts/prisma.mjs returns only after the schema engine closed the folder.
    expect(fs.existsSync(path.join(dir, LOCK_FILE)), "schema engine still holds the PGlite folder").toBe(false);
    const db = new PGlite(dir);
    try {
      return await fn(async (sql) => (await db.query<Row>(sql)).rows);
    } finally {
      await db.close();
    }
  }

  deploySuite(env, withDb, "PGlite");
});

// ---------------------------------------------------------------------------------------------
const shownAdminUrl = adminUrl().replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

const postgresUp = await postgresAnswers();
if (!postgresUp) console.warn(`SKIPPED: PostgreSQL does not answer at ${shownAdminUrl}; the PostgreSQL migrate tests did not run. Set TEST_DATABASE_URL to an admin URL to run them.`);

describe.skipIf(!postgresUp)(`migrate deploy on a fresh PostgreSQL database at ${shownAdminUrl}${postgresUp ? "" : " (SKIPPED: PostgreSQL does not answer)"}`, () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let databaseUrl = "";

  beforeAll(async () => {
    database = await createDatabase(adminUrl(), "jobdeck_migrate_test_");
    databaseUrl = database.url;
  });
  afterAll(async () => {
    await database?.drop();
  });

  const env = () => ({ ...process.env, DATABASE_URL: databaseUrl });

  async function withDb<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await fn(async (sql) => (await client.query(sql)).rows as Row[]);
    } finally {
      await client.end();
    }
  }

  deploySuite(env, withDb, "PostgreSQL");
});
