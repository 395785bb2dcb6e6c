// Storage benchmark: import (tableCreate) and export (tableExport) of a generated CSV through the
// real Storage job code, on PGlite and on PostgreSQL, each beside raw COPY of the same file into
// (and out of) a table of the same shape in the same database, in the same run, in turns. Prints
// MB/s, Jobdeck ÷ raw, and peak memory (RSS) of the process that ran each Storage job: every job runs
// in a process of its own (bench/storage-job-runner.ts), whose VmHWM is its peak.
//   npm run bench:storage -- --rows 1000000 [--db pglite|postgresql|both] [--runs 3] [--max-rss 300] [--quick]
// --quick: at most 100,000 rows. --max-rss: exit 1 when a Jobdeck import or export's peak RSS on
// PostgreSQL is above it (the check that memory stays flat whatever the file's size). Not part of the tests. PostgreSQL runs
// only when it answers on this machine (TEST_DATABASE_URL).
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { createToken } from "@/lib/auth/tokens";
import { type DbHandle, driverOf, openDb } from "@/lib/db";
import { storeFile } from "@/lib/storage/files/store-file";
import { requestTableCreate, requestTableImport, requestTableOperation } from "@/lib/storage/jobs/requests";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";
import { adminUrl, postgresAnswers } from "@/test/postgres";
import { openBenchDb } from "./bench-db";
import { procStatusMb } from "./lib";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    db: { type: "string", default: "both" },
    runs: { type: "string", default: "1" },
    "max-rss": { type: "string" },
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const maxRssMb = args["max-rss"] === undefined ? null : Number(args["max-rss"]);
const rows = args.quick ? Math.min(Number(args.rows), 100_000) : Number(args.rows);
if (!Number.isInteger(rows) || rows < 1) throw new Error("--rows must be a positive integer");
const out = path.resolve("bench/.out");
mkdirSync(out, { recursive: true });

/** ~100 bytes a row: an id, text, numbers, a timestamp, and a quoted value with a comma. */
async function generateCsv(file: string): Promise<void> {
  if (existsSync(file)) return;
  const stream = createWriteStream(`${file}.part`);
  stream.write("id,customer,email,amount,quantity,created_at,note\n");
  for (let i = 1; i <= rows; i++) {
    const line = `${i},Customer ${i % 50_000},customer${i % 50_000}@example.com,${(i % 100_000) / 100},${i % 17},2026-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}T12:34:56Z,"note ${i % 997}, all fine"\n`;
    if (!stream.write(line)) await once(stream, "drain");
  }
  stream.end();
  await once(stream, "finish");
  const { renameSync } = await import("node:fs");
  renameSync(`${file}.part`, file);
}

/** Samples RSS while `work` runs; Node's own high-water mark catches what sampling misses. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number; baseRssMb: number }> {
  // The child runs with --expose-gc: each step starts from the same heap, not the last one's garbage.
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds, peakRssMb: peak / 1024 / 1024, baseRssMb: base / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

type JobRun = { status: "success" | "error" | null; seconds: number; peakRssMb: number; baseRssMb: number };

/**
 * Runs the one queued Storage job in a process of its own (bench/storage-job-runner.ts, what the
 * storage worker does for a job) and reads that process's peak RSS: its VmHWM, read from
 * /proc/<pid>/status while it runs and by itself at its end. So the figure is the importing
 * process's, whatever this process holds. On PGlite the caller closes its own handle first: one
 * process at a time may open the folder.
 */
async function runJobInChild(handle: DbHandle, filesDir: string): Promise<JobRun> {
  const target = handle.target;
  const dbArgs = target.kind === "postgresql" ? ["--db", "postgresql", "--url", target.url] : ["--db", "pglite", "--dir", target.dir!];
  const child = spawn(process.execPath, [...process.execArgv, path.resolve("bench/storage-job-runner.ts"), ...dbArgs, "--files-dir", filesDir], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  let sampled = 0;
  const timer = setInterval(() => (sampled = Math.max(sampled, procStatusMb("VmHWM", child.pid!) ?? 0)), 100);
  const [code] = (await once(child, "exit")) as [number | null];
  clearInterval(timer);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`the job runner failed (exit ${code}): ${last.slice(0, 300)}`);
  const run = JSON.parse(last) as { status: JobRun["status"]; seconds: number; rssBeforeMb: number; peakRssMb: number };
  return { status: run.status, seconds: run.seconds, peakRssMb: Math.max(sampled, run.peakRssMb), baseRssMb: run.rssBeforeMb };
}

type Row = { database: string; run: number; operation: string; rows: number; mb: number; seconds: number; mbPerSecond: number; peakRssMb: number; baseRssMb: number; rawSeconds?: number };

const COLUMNS = ["id", "customer", "email", "amount", "quantity", "created_at", "note"];

/** Raw COPY of the file into a table of the same shape (text columns, the same primary key), and out of it to a file. */
async function rawCopy(handle: DbHandle, csvFile: string, exportFile: string, table: string) {
  const ddl = `CREATE TABLE ${table} (${COLUMNS.map((c) => `"${c}" text NOT NULL DEFAULT ''`).join(", ")}, PRIMARY KEY ("id"))`;
  const driver = driverOf(handle.db)!;
  if (driver.kind === "postgresql") {
    const client = new pg.Client({ connectionString: driver.url });
    await client.connect();
    try {
      await client.query(ddl);
      const imported = await measure(() => pipeline(createReadStream(csvFile), client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`))));
      const exported = await measure(() => pipeline(client.query(copyTo(`COPY ${table} TO STDOUT WITH (FORMAT csv, HEADER true)`)), createWriteStream(exportFile)));
      await client.query(`DROP TABLE ${table}`);
      return { imported, exported };
    } finally {
      await client.end();
    }
  }
  // PGlite: what a person would do by hand, the whole file as one Blob each way.
  await driver.pglite.exec(ddl);
  const imported = await measure(() => driver.pglite.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob: new Blob([readFileSync(csvFile)]) }));
  const exported = await measure(async () => {
    const result = await driver.pglite.query(`COPY ${table} TO '/dev/blob' WITH (FORMAT csv, HEADER true)`);
    await pipeline(Readable.from([Buffer.from(await result.blob!.arrayBuffer())]), createWriteStream(exportFile));
  });
  await driver.pglite.exec(`DROP TABLE ${table}`);
  return { imported, exported };
}

async function runOn(database: "pglite" | "postgresql", csvFile: string): Promise<Row[]> {
  const workDir = path.join(out, `${database}-${Date.now()}`);
  const filesDir = path.join(workDir, "files");
  const opened = await openBenchDb(database, workDir);
  let handle = opened.handle;
  const results: Row[] = [];
  // A Jobdeck step: queued here, run in a process of its own (runJobInChild). PGlite's folder is
  // let go meanwhile and opened again after.
  const step = async (enqueue: () => Promise<unknown>): Promise<JobRun> => {
    await enqueue();
    if (database === "postgresql") return runJobInChild(handle, filesDir);
    await handle.close();
    try {
      return await runJobInChild(handle, filesDir);
    } finally {
      handle = openDb(handle.target);
    }
  };
  try {
    const project = await handle.db.project.create({ data: { name: "bench" } });
    const token = await createToken({ db: handle.db, projectId: project.id, description: "bench" });
    const auth = { projectId: project.id, projectName: "bench", tokenId: token.id, tokenDescription: "bench", permission: "manage" as const };
    await handle.db.bucket.create({ data: { projectId: project.id, bucketId: "in.c-bench", stage: "in", name: "bench" } });
    const file = await storeFile({ db: handle.db, projectId: project.id, tokenId: token.id, name: "bench.csv", source: createReadStream(csvFile), filesDir });
    const mb = Number(file.sizeBytes) / 1e6;
    const lastJob = (operationName: string) => handle.db.storageJob.findFirstOrThrow({ where: { projectId: project.id, operationName }, orderBy: { id: "desc" } });
    for (let run = 1; run <= runs; run++) {
      const name = `orders_${run}`;
      const imported = await step(() => requestTableCreate({ db: handle.db, auth, runId: null, bucketId: "in.c-bench", input: { name, dataFileId: file.id.toString(), primaryKey: ["id"] } }));
      if (imported.status !== "success") throw new Error(`import failed: ${(await lastJob("tableCreate")).errorMessage}`);

      const exported = await step(() => requestTableOperation({ db: handle.db, auth, runId: null, tableId: `in.c-bench.${name}`, operationName: "tableExport" }));
      const exportJob = await lastJob("tableExport");
      if (exported.status !== "success") throw new Error(`export failed: ${exportJob.errorMessage}`);
      const outMb = Number(exportJob.outBytes) / 1e6;

      // A full import of the same file into the table it made: staging, then the replace transaction.
      const replaced = await step(() => requestTableImport({ db: handle.db, auth, runId: null, tableId: `in.c-bench.${name}`, input: { dataFileId: file.id.toString(), incremental: false } }));
      if (replaced.status !== "success") throw new Error(`full import failed: ${(await lastJob("tableImport")).errorMessage}`);
      await requestTableOperation({ db: handle.db, auth, runId: null, tableId: `in.c-bench.${name}`, operationName: "tableDrop" });
      await runNextStorageJob({ db: handle.db, workerId: "bench", filesDir });
      // Raw right after Jobdeck in each run (a busy machine slows both alike), in this process.
      const raw = await rawCopy(handle, csvFile, path.join(workDir, "raw-export.csv"), `raw_${run}`);
      rmSync(path.join(workDir, "raw-export.csv"), { force: true });
      // The exported File's bytes go, so that runs do not fill the disk.
      for (const f of await handle.db.file.findMany({ where: { projectId: project.id, tags: { has: "table-export" } } })) rmSync(path.join(filesDir, f.storagePath), { force: true });
      await handle.db.file.deleteMany({ where: { projectId: project.id, tags: { has: "table-export" } } });
      results.push(
        { database, run, operation: "import (tableCreate, PK)", rows, mb, seconds: imported.seconds, mbPerSecond: mb / imported.seconds, peakRssMb: imported.peakRssMb, baseRssMb: imported.baseRssMb, rawSeconds: raw.imported.seconds },
        { database, run, operation: "import (full, into it)", rows, mb, seconds: replaced.seconds, mbPerSecond: mb / replaced.seconds, peakRssMb: replaced.peakRssMb, baseRssMb: replaced.baseRssMb, rawSeconds: raw.imported.seconds },
        { database, run, operation: "export (tableExport)", rows, mb: outMb, seconds: exported.seconds, mbPerSecond: outMb / exported.seconds, peakRssMb: exported.peakRssMb, baseRssMb: exported.baseRssMb, rawSeconds: raw.exported.seconds },
        { database, run, operation: "raw COPY FROM (same table shape)", rows, mb, seconds: raw.imported.seconds, mbPerSecond: mb / raw.imported.seconds, peakRssMb: raw.imported.peakRssMb, baseRssMb: raw.imported.baseRssMb },
        { database, run, operation: "raw COPY TO (to a file)", rows, mb: outMb, seconds: raw.exported.seconds, mbPerSecond: outMb / raw.exported.seconds, peakRssMb: raw.exported.peakRssMb, baseRssMb: raw.exported.baseRssMb },
      );
    }
    return results;
  } finally {
    await handle.close();
    await opened.cleanup().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

const csvFile = path.join(out, `storage-${rows}.csv`);
const results: Row[] = [];
if (args.json) {
  // A child run: one database, results as JSON on stdout.
  if (args.db !== "pglite" && args.db !== "postgresql") throw new Error(`--db must be pglite, postgresql or both, not ${args.db}`);
  console.log(JSON.stringify(await runOn(args.db, csvFile)));
  process.exit(0);
}
await generateCsv(csvFile);
const wanted = args.db === "both" ? ["pglite", "postgresql"] : [args.db!];
for (const database of wanted) {
  if (database === "postgresql" && !(await postgresAnswers())) {
    console.warn(`PostgreSQL does not answer at ${adminUrl()}: skipped.`);
    continue;
  }
  // Each database in its own process, so that one's memory does not count against the other.
  process.stderr.write(`› ${database}…\n`);
  const child = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, process.argv[1]!, "--rows", String(rows), "--db", database, "--runs", String(runs), "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !last.startsWith("[")) throw new Error(`${database} run failed (exit ${child.status})`);
  results.push(...(JSON.parse(last) as Row[]));
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);
console.log(`\nJobdeck Storage benchmark — ${new Date().toISOString()}`);
console.log(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${fixed(os.totalmem() / 1024 ** 3, 0)} GiB RAM, Node ${process.version}`);
console.log(`CSV: ${rows.toLocaleString("en-US")} rows, 7 columns, ${fixed(statSync(csvFile).size / 1e6)} MB`);
console.log("RSS of a Jobdeck step: the process that ran its Storage job (bench/storage-job-runner.ts), before the job and its peak (VmHWM);");
console.log("on PGlite that process holds the database too. Raw COPY runs in the bench's own process: its RSS is that process's.\n");
const header = ["database", "run", "operation", "rows", "MB", "seconds", "MB/s", "÷ raw", "RSS before MB", "peak RSS MB"];
const lines = results.map((r) => [
  r.database,
  String(r.run),
  r.operation,
  r.rows.toLocaleString("en-US"),
  fixed(r.mb),
  fixed(r.seconds, 2),
  fixed(r.mbPerSecond),
  r.rawSeconds === undefined ? "" : fixed(r.rawSeconds / r.seconds, 2),
  fixed(r.baseRssMb, 0),
  fixed(r.peakRssMb, 0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(format(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const line of lines) console.log(format(line));
// The spread over runs: Jobdeck ÷ raw (time of raw COPY ÷ time of Jobdeck; over 1 means Jobdeck is ahead).
for (const database of new Set(results.map((r) => r.database))) {
  for (const operation of ["import (tableCreate, PK)", "import (full, into it)", "export (tableExport)"]) {
    const ratios = results.filter((r) => r.database === database && r.operation === operation && r.rawSeconds !== undefined).map((r) => r.rawSeconds! / r.seconds);
    const peaks = results.filter((r) => r.database === database && r.operation === operation).map((r) => r.peakRssMb);
    if (ratios.length > 0) console.log(`${database} ${operation}: ÷ raw ${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)}, peak RSS ${fixed(Math.min(...peaks), 0)}–${fixed(Math.max(...peaks), 0)} MB over ${ratios.length} run(s)`);
  }
}
const load = os.loadavg().map((n) => n.toFixed(1)).join(" ");
console.log(`load average at the end: ${load}`);
if (maxRssMb !== null) {
  // PostgreSQL only: a PGlite process holds the database itself (its WASM heap, shared buffers and
  // the pages it read), so its RSS is the database's as much as the import's; it is printed, not checked.
  const over = results.filter((r) => r.database === "postgresql" && r.rawSeconds !== undefined && r.peakRssMb > maxRssMb);
  for (const r of over) console.error(`✗ ${r.database} ${r.operation} run ${r.run}: peak RSS ${fixed(r.peakRssMb, 0)} MB is above --max-rss ${maxRssMb} MB`);
  if (over.length > 0) process.exit(1);
  if (results.some((r) => r.database === "postgresql")) console.log(`✓ every Jobdeck import and export on PostgreSQL stayed at or below ${maxRssMb} MB of RSS (PGlite's is printed, not checked)`);
  else console.log(`--max-rss checks PostgreSQL's steps; none ran`);
}
