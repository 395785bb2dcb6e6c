// Where the PostgreSQL tests run: TEST_DATABASE_URL, or the local server on 127.0.0.1:5432.
// Refuses anything that is not on this machine, so a test can never touch a real database.
import pg from "pg";

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
}

export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host) && process.env.JOBDECK_ALLOW_REMOTE_TEST_DB !== "1") {
    throw new Error(`Refusing to run tests against ${host}: tests only use a database on this machine.`);
  }
}

export async function postgresAnswers(url = adminUrl()): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Drops databases a killed run left behind: named `<prefix><epoch ms>_…`, older than ten minutes,
 * and with nobody connected (no FORCE, so a run still going keeps its database).
 */
export async function dropStaleDatabases(admin: pg.Client, prefix: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
  for (const { datname } of rows) {
    const born = Number(datname.slice(prefix.length).split("_")[0]);
    if (Number.isFinite(born) && born < Date.now() - 600_000) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
  }
}

export async function createDatabase(url = adminUrl(), prefix = "jobdeck_test_"): Promise<{ url: string; drop(): Promise<void> }> {
  assertLocal(url);
  const name = `${prefix}${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await dropStaleDatabases(admin, prefix);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(url, name),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
