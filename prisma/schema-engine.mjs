#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary.
//
// Why: Prisma 7's CLI downloads a native schema-engine on first use, and this machine (and
// our CI/sandboxes) cannot reach binaries.prisma.sh, so every `prisma migrate …` / `prisma db …`
// fails. `@prisma/schema-engine-wasm` is Prisma's official WebAssembly build of the same engine;
// it talks to the database through a driver adapter instead of its own network code. This
// script speaks the native binary's interface (argv + newline-delimited JSON-RPC 2.0 on
// stdin/stdout, JSON log lines on stderr, and the `cli can-connect-to-database|create-database`
// one-shot subcommands) and forwards each RPC call to the WASM engine method of the same name.
//
// Databases: `postgresql://` / `postgres://` URLs use @prisma/adapter-pg; a URL whose host is
// `pglite` (postgresql://pglite/<name>?dir=<url-encoded folder>) opens that folder with PGlite.
//
// Used via `PRISMA_SCHEMA_ENGINE_BINARY=<abs path to this file>`; scripts/prisma.mjs sets it
// automatically when the native binary is missing.

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Output discipline. stdout carries only JSON-RPC responses; stderr only JSON log lines (the CLI
// parses them, and in `cli` mode it rejects any non-JSON line). Anything a library prints is
// re-emitted as a JSON log line on stderr.
// ---------------------------------------------------------------------------------------------
const rawStdoutWrite = process.stdout.write.bind(process.stdout);
const rawStderrWrite = process.stderr.write.bind(process.stderr);
process.stdout.on("error", () => {}); // the CLI may already be gone (EPIPE): nothing to do
process.stderr.on("error", () => {});

function writeLog(level, message, fields = {}, target = "schema_engine_shim") {
  rawStderrWrite(JSON.stringify({ level, fields: { message: String(message), ...fields }, target }) + "\n");
}
function strayWriter(level) {
  return (chunk, encoding, cb) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    for (const line of text.split(/\r?\n/)) if (line.trim()) writeLog(level, line);
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") done();
    return true;
  };
}
process.stdout.write = strayWriter("INFO");
process.stderr.write = strayWriter("WARN");
for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["debug", "DEBUG"], ["warn", "WARN"], ["error", "WARN"]]) {
  console[name] = (...args) => writeLog(level, args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.stack : JSON.stringify(a))).join(" "));
}
process.removeAllListeners("warning");
process.on("warning", (w) => writeLog("WARN", `${w.name}: ${w.message}`));

// ---------------------------------------------------------------------------------------------
// Arguments, as passed by node_modules/prisma/build/cli.js:
//   RPC mode:  [--datamodels <file>]… [--datasource <json>] [--enabled-preview-features a,b] [--extension-types <json>]
//   one-shot:  --datasource '{"url":…}' cli can-connect-to-database|create-database|drop-database
//   --version / -V, --help / -h
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, previewFeatures: [], cli: undefined, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`Missing value for ${a}`);
      return argv[++i];
    };
    if (a === "--version" || a === "-V") out.version = true;
    else if (a === "--help" || a === "-h") out.help = true;
    else if (a === "--datamodels" || a === "-d") out.datamodels.push(value());
    else if (a.startsWith("--datamodels=")) out.datamodels.push(a.slice(13));
    else if (a === "--datasource") out.datasource = JSON.parse(value());
    else if (a.startsWith("--datasource=")) out.datasource = JSON.parse(a.slice(13));
    else if (a === "--enabled-preview-features") out.previewFeatures = value().split(",").filter(Boolean);
    else if (a === "--extension-types") value(); // not supported by the WASM engine; ignored
    else if (a === "cli") {
      out.cli = argv[i + 1];
      i = argv.length;
    } else throw new Error(`Unknown argument: ${a}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The WASM engine. Its package entry uses `import … from "x.wasm"` (needs --experimental-wasm-modules),
// so instantiate the .wasm file by hand with the generated JS glue as its import object.
// ---------------------------------------------------------------------------------------------
let panicMessage;
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    panicMessage = message;
  },
};

async function loadWasmEngine() {
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = await import(pathToFileURL(gluePath).href);
  const bytes = await fs.promises.readFile(gluePath.replace(/\.js$/, ".wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

function engineGitHash() {
  try {
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version.split(".").pop();
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Datasource URLs
// ---------------------------------------------------------------------------------------------
class UserFacingError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const PRISMA_URL_PARAMS = new Set([
  "schema", "connection_limit", "connect_timeout", "pool_timeout", "socket_timeout", "pgbouncer",
  "statement_cache_size", "max_connection_lifetime", "max_idle_connection_lifetime", "sslaccept", "sslidentity", "sslpassword",
]);

/** Parse a datasource URL into what we need to open it. Nothing is opened here. */
function describeUrl(url, cwd) {
  if (!url) {
    throw new UserFacingError(undefined, "No datasource URL. Set `datasource.url` in prisma.config.ts (https://pris.ly/d/config-url).");
  }
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new UserFacingError("P1013", "The provided database string is invalid. The URL could not be parsed.");
  }
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") {
    throw new UserFacingError(undefined, `Unsupported datasource URL scheme \`${u.protocol}\`: this schema engine stand-in (prisma/schema-engine.mjs) only handles postgresql:// URLs and the embedded PGlite database (postgresql://pglite/<name>?dir=<folder>).`);
  }
  if (u.hostname === "pglite") {
    const dir = u.searchParams.get("dir");
    if (!dir) throw new UserFacingError("P1013", "The PGlite datasource URL needs a `dir` parameter: postgresql://pglite/<name>?dir=<url-encoded folder>.");
    const memory = dir.startsWith("memory://");
    return { kind: "pglite", dir: memory ? dir : path.resolve(cwd, dir), memory, display: memory ? dir : path.resolve(cwd, dir), database: "postgres" };
  }

  // Parse with node-postgres' own parser (pg's dependency, so it always matches pg), minus Prisma's
  // URL parameters, and hand pg discrete fields. Passing `connectionString` breaks adapter-pg's shadow
  // database (its `{ ...config, database }` is overridden by the connection string's database).
  const pgUrl = new URL(url);
  for (const key of [...pgUrl.searchParams.keys()]) if (PRISMA_URL_PARAMS.has(key)) pgUrl.searchParams.delete(key);
  const parse = createRequire(require.resolve("pg"))("pg-connection-string").parse;
  const parsed = parse(pgUrl.toString());
  const config = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== null && v !== undefined && v !== "") config[k] = v;
  if (config.port) config.port = Number(config.port);
  if (!config.database) config.database = "postgres";
  const connectTimeout = Number(u.searchParams.get("connect_timeout") ?? 5);
  config.connectionTimeoutMillis = connectTimeout > 0 ? connectTimeout * 1000 : 0;
  config.max = 1; // one session, like the native engine (advisory locks, SET commands, transactions)
  config.idleTimeoutMillis = 0;
  const schema = u.searchParams.get("schema") || undefined;
  const hostPort = `${config.host ?? "localhost"}:${config.port ?? 5432}`;
  return { kind: "postgres", config, schema, display: hostPort, database: config.database, user: config.user };
}

/** Translate a connection failure into the native engine's user-facing error codes. */
function connectionError(desc, error) {
  const cause = error?.cause && typeof error.cause === "object" ? error.cause : {};
  const code = error?.code ?? cause.originalCode ?? cause.code;
  const message = String(error?.message ?? cause.originalMessage ?? error);
  const at = desc.display;
  if (code === "3D000" || cause.kind === "DatabaseDoesNotExist") {
    return new UserFacingError("P1003", `Database \`${desc.database}\` does not exist on the database server at \`${at}\`.`);
  }
  if (code === "28P01" || code === "28000" || cause.kind === "AuthenticationFailed") {
    return new UserFacingError("P1000", `Authentication failed against database server, the provided database credentials for \`${desc.user ?? "postgres"}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${at}\`.`);
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"].includes(code) || cause.kind === "DatabaseNotReachable" || /timeout|timed out|Connection terminated/i.test(message)) {
    return new UserFacingError("P1001", `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`);
  }
  return error instanceof Error ? error : new Error(message);
}

// ---------------------------------------------------------------------------------------------
// PGlite: one process at a time per folder. A pid lock file serialises the engines the CLI starts
// back to back (it SIGTERMs one and spawns the next without waiting for it to exit).
// ---------------------------------------------------------------------------------------------
const LOCK_NAME = ".prisma-schema-engine.lock";
let heldLock;

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

async function acquireLock(dir, timeoutMs = 30_000) {
  const lockPath = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      heldLock = lockPath;
      return;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let owner;
    try {
      owner = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
    } catch {
      continue; // released in the meantime
    }
    if (!Number.isFinite(owner) || owner === process.pid || !pidAlive(owner)) {
      fs.rmSync(lockPath, { force: true }); // stale
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserFacingError(undefined, `The PGlite folder ${dir} is in use by another schema engine (pid ${owner}). A PGlite folder can be opened by one process at a time.`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function releaseLock() {
  if (!heldLock) return;
  try {
    if (fs.readFileSync(heldLock, "utf8") === String(process.pid)) fs.rmSync(heldLock, { force: true });
  } catch {}
  heldLock = undefined;
}

let PGliteClass;
async function openPGlite(dir) {
  PGliteClass ??= (await import("@electric-sql/pglite")).PGlite;
  if (dir === undefined) {
    const db = new PGliteClass();
    await db.waitReady;
    return db;
  }
  fs.mkdirSync(dir, { recursive: true });
  await acquireLock(dir);
  try {
    const db = new PGliteClass(dir);
    await db.waitReady;
    return db;
  } catch (e) {
    releaseLock();
    throw new UserFacingError(undefined, `Could not open the PGlite database in ${dir}: ${e?.message ?? e}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Driver adapter factory handed to the WASM engine. Opens nothing until the engine asks.
// ---------------------------------------------------------------------------------------------
const liveAdapters = new Set(); // adapters not yet disposed, closed on shutdown
const openPGlites = new Set();

function track(adapter, extraDispose) {
  const dispose = adapter.dispose.bind(adapter);
  let done = false;
  adapter.dispose = async () => {
    if (done) return;
    done = true;
    liveAdapters.delete(adapter);
    try {
      await dispose();
    } finally {
      if (extraDispose) await extraDispose();
    }
  };
  liveAdapters.add(adapter);
  return adapter;
}

let pgPatched = false;
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
/**
 * adapter-pg 7.10 fixes, applied to its classes once (covers adapters and their transactions):
 * - Postgres' internal `"char"` type (OID 18, e.g. pg_constraint.contype, confdeltype) is rejected
 *   by fieldToColumnType() ("Column type 'char' could not be deserialized"), which breaks every
 *   schema introspection (migrate dev, diff, db pull). Report it as a Character column, which is
 *   what the engine reads these columns as (pglite-prisma-adapter does the same).
 * - executeScript() splits scripts on every `;` (breaks `$$ … ; … $$` function bodies and string
 *   literals); send the script as one simple-protocol query, as the native engine does.
 */
function patchPgAdapter(adapter) {
  if (pgPatched) return;
  pgPatched = true;
  const adapterProto = Object.getPrototypeOf(adapter);
  const queryableProto = Object.getPrototypeOf(adapterProto);
  const { queryRaw, performIO } = queryableProto;
  if (typeof queryRaw === "function" && typeof performIO === "function") {
    queryableProto.queryRaw = async function (query) {
      let charColumns = [];
      const view = Object.create(this); // same client/options; only performIO differs, per call
      view.performIO = async (q) => {
        const result = await performIO.call(this, q);
        charColumns = [];
        result?.fields?.forEach((field, i) => {
          if (field.dataTypeID === 18) {
            field.dataTypeID = 25; // text, so fieldToColumnType() accepts it; fixed up below
            charColumns.push(i);
          }
        });
        return result;
      };
      const result = await queryRaw.call(view, query);
      for (const i of charColumns) result.columnTypes[i] = CHARACTER_COLUMN;
      return result;
    };
  }
  adapterProto.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
}

function patchPGliteAdapter(adapter, db) {
  // pglite-prisma-adapter 0.7.2's executeScript() does not await db.exec(): failures would be lost
  // (and crash the process as unhandled rejections) while the migration is recorded as applied.
  adapter.executeScript = async (script) => {
    try {
      await db.exec(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

class ShimAdapterFactory {
  provider = "postgres";

  constructor(datasource, cwd) {
    this.datasource = datasource ?? {};
    this.cwd = cwd;
    this.desc = undefined;
    this.descError = undefined;
    try {
      this.desc = describeUrl(this.datasource.url, cwd);
    } catch (e) {
      this.descError = e;
    }
    this.adapterName = this.desc?.kind === "pglite" ? "pglite-prisma-adapter" : "@prisma/adapter-pg";
    this.pglite = undefined; // the main PGlite instance, shared by every connect()
  }

  requireDesc() {
    if (this.descError) throw this.descError;
    return this.desc;
  }

  async connect() {
    const desc = this.requireDesc();
    if (desc.kind === "pglite") {
      const { PrismaPGlite } = await import("pglite-prisma-adapter");
      if (!this.pglite) {
        this.pglite = openPGlite(desc.memory ? undefined : desc.dir).then((db) => (openPGlites.add(db), db));
        this.pglite.catch(() => (this.pglite = undefined));
      }
      const db = await this.pglite;
      return track(patchPGliteAdapter(await new PrismaPGlite(db).connect(), db));
    }
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const adapter = await new PrismaPg(desc.config, desc.schema ? { schema: desc.schema } : undefined).connect();
    patchPgAdapter(adapter);
    try {
      await adapter.underlyingDriver().query("SELECT 1"); // surface connection errors here, with codes
    } catch (e) {
      await adapter.dispose().catch(() => {});
      throw connectionError(desc, e);
    }
    return track(adapter);
  }

  async connectToShadowDb() {
    const desc = this.requireDesc();
    if (desc.kind === "pglite") {
      // A throwaway in-memory PGlite is a perfectly good shadow database.
      const { PrismaPGlite } = await import("pglite-prisma-adapter");
      const db = await openPGlite(undefined);
      openPGlites.add(db);
      const adapter = patchPGliteAdapter(await new PrismaPGlite(db).connect(), db);
      return track(adapter, async () => {
        openPGlites.delete(db);
        await db.close().catch(() => {});
      });
    }

    const { PrismaPg } = await import("@prisma/adapter-pg");
    const options = desc.schema ? { schema: desc.schema } : undefined;
    if (this.datasource.shadowDatabaseUrl) {
      // An explicitly configured shadow database: use it, emptied first as the native engine does.
      const shadowDesc = describeUrl(this.datasource.shadowDatabaseUrl, this.cwd);
      if (shadowDesc.kind !== "postgres") throw new UserFacingError(undefined, "shadowDatabaseUrl must be a postgresql:// URL.");
      const adapter = await new PrismaPg(shadowDesc.config, shadowDesc.schema ? { schema: shadowDesc.schema } : undefined).connect();
      patchPgAdapter(adapter);
      const schema = (shadowDesc.schema ?? "public").replaceAll('"', '""');
      try {
        await adapter.underlyingDriver().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}";`);
      } catch (e) {
        await adapter.dispose().catch(() => {});
        throw connectionError(shadowDesc, e);
      }
      return track(adapter);
    }

    // Same as adapter-pg's own connectToShadowDb, but with discrete connection fields (see describeUrl).
    const admin = await this.connect();
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await admin.underlyingDriver().query(`CREATE DATABASE "${name}"`);
    let shadow;
    try {
      shadow = await new PrismaPg({ ...desc.config, database: name }, options).connect();
      patchPgAdapter(shadow);
    } catch (e) {
      await admin.underlyingDriver().query(`DROP DATABASE IF EXISTS "${name}"`).catch(() => {});
      await admin.dispose().catch(() => {});
      throw e;
    }
    return track(shadow, async () => {
      try {
        await admin.underlyingDriver().query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await admin.dispose().catch(() => {});
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Errors, in the shape node_modules/prisma/build/cli.js expects from the native engine:
//   { code, message, data: { is_panic, message, error_code?, meta?, backtrace? } }
// ---------------------------------------------------------------------------------------------
function isWasmPanic(e) {
  return e instanceof WebAssembly.RuntimeError || e?.name === "RuntimeError";
}

function jsonRpcError(e, boundFactory) {
  if (isWasmPanic(e)) {
    const message = panicMessage ?? String(e?.message ?? e);
    // The CLI reads a panic's text from error.data.error.message, falling back to error.message.
    return { code: 4466, message, data: { is_panic: true, message, error: { message }, backtrace: e?.stack ?? null } };
  }
  let message = String(e?.message ?? e);
  let errorCode = typeof e?.code === "string" && /^P\d{4}$/.test(e.code) ? e.code : undefined;
  // Errors thrown by adapter code that are not DriverAdapterErrors come back from the engine as
  // "External error id#N", an index into the bound factory's error registry; show the original.
  const registry = boundFactory?.errorRegistry;
  const externalId = /External error id#(\d+)/.exec(message)?.[1];
  if (registry && externalId !== undefined) {
    const id = Number(externalId);
    const original = Number.isFinite(id) ? registry.consumeError(id)?.error : undefined;
    if (original) {
      message = String(original.message ?? original);
      if (original instanceof UserFacingError && original.code) errorCode = original.code;
    }
  }
  const data = { is_panic: false, message, meta: {} };
  if (errorCode) data.error_code = errorCode;
  else data.backtrace = null;
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}

// ---------------------------------------------------------------------------------------------
// Shutdown: close PGlite cleanly (and end pg pools) when stdin closes or on SIGTERM/SIGINT.
// ---------------------------------------------------------------------------------------------
let shuttingDown;
function shutdown(exitCode) {
  shuttingDown ??= (async () => {
    const hardExit = setTimeout(() => {
      releaseLock();
      process.exit(exitCode);
    }, 10_000);
    hardExit.unref();
    await Promise.allSettled([...liveAdapters].map((a) => a.dispose()));
    await Promise.allSettled([...openPGlites].map((db) => db.close()));
    releaseLock();
    process.exit(exitCode);
  })();
  return shuttingDown;
}
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => void shutdown(0));

// The CLI SIGTERMs an engine and moves on without waiting for it to exit. scripts/prisma.mjs passes a
// folder in which each running engine keeps a `<pid>` file, and waits for it to empty before it
// exits, so that when the command returns every database it opened is closed.
const runMarker = process.env.PRISMA_SCHEMA_ENGINE_SHIM_RUN_DIR ? path.join(process.env.PRISMA_SCHEMA_ENGINE_SHIM_RUN_DIR, String(process.pid)) : undefined;
if (runMarker) {
  try {
    fs.writeFileSync(runMarker, "");
  } catch {}
}
process.on("exit", () => {
  releaseLock();
  if (runMarker) fs.rmSync(runMarker, { force: true });
});

// ---------------------------------------------------------------------------------------------
// One-shot `cli` subcommands (used by the CLI before migrate deploy/status/dev, db push).
// Failure protocol: exit 1; stderr line 1 is skipped, later lines are JSON logs and an ERROR from
// target schema_engine::logger carrying fields.error_code + fields.message.
// ---------------------------------------------------------------------------------------------
async function runCliCommand(command, datasource) {
  writeLog("INFO", `Starting schema engine CLI (WASM stand-in, ${engineGitHash()})`, {}, "schema_engine");
  const fail = (e) => {
    const fields = { message: String(e?.message ?? e) };
    if (e instanceof UserFacingError && e.code) fields.error_code = e.code;
    writeLog("ERROR", fields.message, fields.error_code ? { error_code: fields.error_code } : {}, "schema_engine::logger");
    return shutdown(1);
  };
  try {
    const desc = describeUrl(datasource?.url, process.cwd());
    if (command === "can-connect-to-database") {
      if (desc.kind === "pglite") {
        // Make sure the folder exists and is writable, without opening it: the engine that runs
        // next opens it anyway (creating the database on first use), and an open costs seconds.
        if (!desc.memory) {
          try {
            fs.mkdirSync(desc.dir, { recursive: true });
            fs.accessSync(desc.dir, fs.constants.R_OK | fs.constants.W_OK);
          } catch (e) {
            throw new UserFacingError(undefined, `Cannot use the PGlite folder ${desc.dir}: ${e.message}`);
          }
        }
      } else {
        await withPgClient(desc.config, (c) => c.query("SELECT 1")).catch((e) => {
          throw connectionError(desc, e);
        });
      }
      writeLog("INFO", "Connection successful", {}, "schema_engine");
      return shutdown(0);
    }
    if (command === "create-database" || command === "drop-database") {
      if (desc.kind === "pglite") {
        if (command === "drop-database") throw new UserFacingError(undefined, `Refusing to drop a PGlite database; delete the folder ${desc.dir} instead.`);
        if (!desc.memory) fs.mkdirSync(desc.dir, { recursive: true }); // the engine creates the database on first open
        rawStdoutWrite(`Database 'postgres' was successfully created.\n`);
        return shutdown(0);
      }
      const sql = command === "create-database" ? `CREATE DATABASE "${desc.database.replaceAll('"', '""')}"` : `DROP DATABASE "${desc.database.replaceAll('"', '""')}"`;
      await withPgAdminClient(desc, (c) => c.query(sql));
      rawStdoutWrite(`Database '${desc.database}' was successfully ${command === "create-database" ? "created" : "dropped"}.\n`);
      return shutdown(0);
    }
    throw new UserFacingError(undefined, `Unknown cli subcommand: ${command}`);
  } catch (e) {
    return fail(e);
  }
}

async function withPgClient(config, fn) {
  const { default: pg } = await import("pg");
  const clientConfig = { ...config };
  delete clientConfig.max; // pool options
  delete clientConfig.idleTimeoutMillis;
  const client = new pg.Client(clientConfig);
  client.on("error", () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Run fn on a connection to a maintenance database (postgres, else template1) of the same server. */
async function withPgAdminClient(desc, fn) {
  let lastError;
  for (const database of ["postgres", "template1"]) {
    try {
      return await withPgClient({ ...desc.config, database }, fn);
    } catch (e) {
      lastError = e;
      if (e?.code !== "3D000") break;
    }
  }
  throw connectionError(desc, lastError);
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC server (the CLI's default mode).
// ---------------------------------------------------------------------------------------------
// CLI method name -> WASM engine method (identical unless listed).
const METHOD_ALIASES = { getDatabaseVersion: "version" };
const WASM_METHODS = new Set([
  "applyMigrations", "createMigration", "dbExecute", "debugPanic", "devDiagnostic", "diagnoseMigrationHistory", "diff",
  "ensureConnectionValidity", "evaluateDataLoss", "introspect", "introspectSql", "markMigrationApplied",
  "markMigrationRolledBack", "reset", "schemaPush", "version",
]);

async function runRpcServer(args) {
  const cwd = process.cwd();
  const datamodels = args.datamodels.map((file) => [file, fs.readFileSync(path.resolve(cwd, file), "utf8")]);
  const factory = new ShimAdapterFactory(args.datasource, cwd);
  const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
  const bound = bindMigrationAwareSqlAdapterFactory(factory);

  let engine;
  let engineError;
  const enginePromise = (async () => {
    const wasm = await loadWasmEngine();
    engine = await wasm.SchemaEngine.new(
      { datamodels: datamodels.length > 0 ? datamodels : undefined },
      (line) => rawStderrWrite(String(line).replace(/\n+$/, "") + "\n"), // already JSON log lines
      bound,
    );
  })().catch((e) => {
    engineError = e;
  });

  const send = (message) => rawStdoutWrite(JSON.stringify(message) + "\n");

  async function handle(request) {
    const { method } = request;
    let params = request.params;
    if (method === "createDatabase") {
      const ds = params?.datasource;
      const desc = describeUrl(ds?.tag === "ConnectionString" ? ds.url : args.datasource?.url, cwd);
      if (desc.kind === "postgres") {
        await withPgAdminClient(desc, (c) => c.query(`CREATE DATABASE "${desc.database.replaceAll('"', '""')}"`));
      }
      return { databaseName: desc.database };
    }
    const wasmMethod = METHOD_ALIASES[method] ?? method;
    if (!WASM_METHODS.has(wasmMethod)) {
      const err = new Error(`Method not found: ${method} (not supported by the WASM schema engine)`);
      err.rpcCode = -32601;
      throw err;
    }
    await enginePromise;
    if (engineError) throw engineError;
    if (method === "introspect" && params) params = { ...params, namespaces: params.namespaces ?? null };
    if (method === "diff" && params) params = { ...params, exitCode: params.exitCode ?? null };
    // Call as a method: the WASM bindings need `this`.
    let result;
    try {
      result = wasmMethod === "debugPanic" ? engine.debugPanic() : await engine[wasmMethod](params);
    } catch (e) {
      // WASM engine 8.1.0-2 bug: evaluateDataLoss only finds the shadow database once another
      // command has set it up ("PostgreSQL shadow DB must be provided through an external
      // factory"), which breaks `migrate dev` right after it applied pending migrations. Set it up
      // with the read-only diagnoseMigrationHistory and retry once.
      if (method !== "evaluateDataLoss" || !/shadow DB must be provided through an external factory/.test(String(e?.message))) throw e;
      await engine.diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters });
      result = await engine.evaluateDataLoss(params);
    }
    if (method === "diff" && typeof result?.stdout === "string") {
      // The native engine has the CLI print the diff (a `print` request back to the CLI, which
      // writes params.content to its stdout or --output file) and returns stdout: null.
      await printViaCli(result.stdout.replace(/\n$/, ""));
      return { ...result, stdout: null };
    }
    return result === undefined ? {} : result;
  }

  // Requests from the engine to the CLI (only `print`), answered by {id, result} lines on stdin.
  const pendingPrints = new Map();
  let nextPrintId = 1;
  function printViaCli(content) {
    const id = nextPrintId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (pendingPrints.delete(id), resolve()), 30_000);
      pendingPrints.set(id, () => (clearTimeout(timer), pendingPrints.delete(id), resolve()));
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });
  }

  // Requests are handled one at a time, in order, like the CLI sends them.
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (request.method === undefined) {
      pendingPrints.get(request.id)?.(); // the CLI's answer to one of our `print` requests
      return;
    }
    if (request.id === undefined || request.id === null) return; // notifications: nothing to answer
    queue = queue.then(async () => {
      let answered = false;
      answerInFlight = (error) => {
        if (!answered) send({ jsonrpc: "2.0", id: request.id, error });
        answered = true;
      };
      try {
        const result = await handle(request);
        answered = true;
        send({ jsonrpc: "2.0", id: request.id, result });
      } catch (e) {
        if (answered) return;
        answered = true;
        if (e?.rpcCode) {
          send({ jsonrpc: "2.0", id: request.id, error: { code: e.rpcCode, message: e.message } });
          return;
        }
        const error = jsonRpcError(e, bound);
        send({ jsonrpc: "2.0", id: request.id, error });
        if (error.data.is_panic) {
          writeLog("ERROR", error.data.message, { is_panic: true }, "schema_engine::logger");
          await shutdown(101); // the WASM instance is unusable after a panic, like a crashed binary
        }
      }
    });
  });
  rl.on("close", () => {
    // The CLI closes stdin when it is done with us: finish what is in flight, then close the databases.
    queue.finally(() => shutdown(0));
  });
}

// ---------------------------------------------------------------------------------------------
async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    writeLog("ERROR", e.message, {}, "schema_engine::logger");
    process.exit(1);
  }
  if (args.version) {
    rawStdoutWrite(`schema-engine-cli ${engineGitHash()}\n`);
    return;
  }
  if (args.help) {
    rawStdoutWrite(
      "schema-engine (WASM stand-in, prisma/schema-engine.mjs)\n\n" +
        "USAGE:\n  schema-engine.mjs [--datamodels <file>]... [--datasource <json>]   JSON-RPC 2.0 over stdin/stdout\n" +
        "  schema-engine.mjs --datasource <json> cli can-connect-to-database|create-database|drop-database\n" +
        "  schema-engine.mjs --version\n",
    );
    return;
  }
  if (args.cli !== undefined) {
    await runCliCommand(args.cli, args.datasource);
    return;
  }
  await runRpcServer(args);
}

// A WASM panic can also surface outside the promise of the call that caused it (thrown from a
// wasm-bindgen callback). Answer the request in flight with it, then exit like a crashed binary.
let answerInFlight; // set by the RPC server: (error) => void
function fatal(e) {
  const error = jsonRpcError(e);
  writeLog("ERROR", error.data.message, error.data.is_panic ? { is_panic: true } : {}, "schema_engine::logger");
  answerInFlight?.(error);
  void shutdown(error.data.is_panic ? 101 : 1);
}
process.on("uncaughtException", fatal);
process.on("unhandledRejection", (e) => (isWasmPanic(e) ? fatal(e) : writeLog("ERROR", `Unhandled rejection: ${e?.stack ?? e}`)));
main().catch((e) => {
  writeLog("ERROR", e?.stack ?? String(e), {}, "schema_engine::logger");
  void shutdown(1);
});
