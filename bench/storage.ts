// Storage benchmark: import (tableCreate) and export (tableExport) of a generated CSV through the
// real Storage job code, on PGlite and on PostgreSQL. Prints MB/s and peak memory (RSS).
//   npm run bench:storage -- --rows 1000000 [--db pglite|postgresql|both] [--quick]  (--quick: at most 100,000 rows)
// Not part of the tests. PostgreSQL runs only when it answers on this machine (TEST_DATABASE_URL).
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { createToken } from "@/lib/auth/tokens";
import { storeFile } from "@/lib/storage/files/store-file";
import { requestTableCreate, requestTableOperation } from "@/lib/storage/jobs/requests";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";
import { adminUrl, postgresAnswers } from "@/test/postgres";
import { openBenchDb } from "./bench-db";

const { values: args } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, db: { type: "string", default: "both" }, json: { type: "boolean", default: false }, quick: { type: "boolean", default: false } },
});
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
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds, peakRssMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

type Row = { database: string; operation: string; rows: number; mb: number; seconds: number; mbPerSecond: number; peakRssMb: number };

async function runOn(database: "pglite" | "postgresql", csvFile: string): Promise<Row[]> {
  const workDir = path.join(out, `${database}-${Date.now()}`);
  const filesDir = path.join(workDir, "files");
  const { handle, cleanup } = await openBenchDb(database, workDir);
  const db = handle.db;
  try {
    const project = await db.project.create({ data: { name: "bench" } });
    const token = await createToken({ db, projectId: project.id, description: "bench" });
    const auth = { projectId: project.id, projectName: "bench", tokenId: token.id, tokenDescription: "bench", permission: "manage" as const };
    await db.bucket.create({ data: { projectId: project.id, bucketId: "in.c-bench", stage: "in", name: "bench" } });
    const file = await storeFile({ db, projectId: project.id, tokenId: token.id, name: "bench.csv", source: createReadStream(csvFile), filesDir });
    const mb = Number(file.sizeBytes) / 1e6;

    const imported = await measure(async () => {
      await requestTableCreate({ db, auth, runId: null, bucketId: "in.c-bench", input: { name: "orders", dataFileId: file.id.toString(), primaryKey: ["id"] } });
      return runNextStorageJob({ db, workerId: "bench", filesDir });
    });
    const importJob = await db.storageJob.findFirstOrThrow({ where: { projectId: project.id, operationName: "tableCreate" } });
    if (imported.result?.status !== "success") throw new Error(`import failed: ${importJob.errorMessage}`);

    const exported = await measure(async () => {
      await requestTableOperation({ db, auth, runId: null, tableId: "in.c-bench.orders", operationName: "tableExport" });
      return runNextStorageJob({ db, workerId: "bench", filesDir });
    });
    const exportJob = await db.storageJob.findFirstOrThrow({ where: { projectId: project.id, operationName: "tableExport" } });
    if (exported.result?.status !== "success") throw new Error(`export failed: ${exportJob.errorMessage}`);
    const outMb = Number(exportJob.outBytes) / 1e6;

    return [
      { database, operation: "import (tableCreate, PK)", rows, mb, seconds: imported.seconds, mbPerSecond: mb / imported.seconds, peakRssMb: imported.peakRssMb },
      { database, operation: "export (tableExport)", rows, mb: outMb, seconds: exported.seconds, mbPerSecond: outMb / exported.seconds, peakRssMb: exported.peakRssMb },
    ];
  } finally {
    await handle.close();
    await cleanup().catch(() => undefined);
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
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--rows", String(rows), "--db", database, "--json"], {
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
console.log(`CSV: ${rows.toLocaleString("en-US")} rows, 7 columns, ${fixed(statSync(csvFile).size / 1e6)} MB; peak RSS is this Node process (PGlite runs inside it; PostgreSQL is a separate server)\n`);
const header = ["database", "operation", "rows", "MB", "seconds", "MB/s", "peak RSS MB"];
const lines = results.map((r) => [r.database, r.operation, r.rows.toLocaleString("en-US"), fixed(r.mb), fixed(r.seconds, 2), fixed(r.mbPerSecond), fixed(r.peakRssMb, 0)]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(format(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const line of lines) console.log(format(line));
