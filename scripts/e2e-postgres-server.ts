// Starts Jobdeck for the e2e suite on a fresh PostgreSQL database and drops it afterwards.
import { spawn } from "node:child_process";
import pg from "pg";
import { adminUrl, assertLocal, withDatabase } from "../test/postgres";

const admin = adminUrl();
assertLocal(admin);
const name = `jobdeck_e2e_${Date.now()}`;

async function sql(query: string) {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    return await client.query(query);
  } finally {
    await client.end();
  }
}

// Databases left by runs that were killed before they could clean up (older than an hour).
const stale = await sql(`SELECT datname FROM pg_database WHERE datname LIKE 'jobdeck\\_e2e\\_%'`);
for (const { datname } of stale.rows as { datname: string }[]) {
  if (Number(datname.split("_").at(-1)) < Date.now() - 3_600_000) await sql(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}
await sql(`CREATE DATABASE "${name}"`);

const child = spawn("npm", ["start"], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: withDatabase(admin, name) },
});

let dropping = false;
async function dropAndExit(code: number) {
  if (dropping) return;
  dropping = true;
  child.kill("SIGTERM");
  await sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void dropAndExit(0));
child.on("exit", (code) => void dropAndExit(code ?? 1));
