// One Storage job in a process of its own, as the storage worker runs it (runNextStorageJob on the
// files folder), so that bench/storage.ts can read the peak RSS of the process that did the import
// or export and nothing else: its VmHWM, printed as JSON on the last line of stdout.
//   node --conditions=react-server --import tsx bench/storage-job-runner.ts --db postgresql --url <url> --files-dir <dir>
//   node --conditions=react-server --import tsx bench/storage-job-runner.ts --db pglite --dir <pglite folder> --files-dir <dir>
import { parseArgs } from "node:util";
import { openDb } from "@/lib/db";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";
import { procStatusMb } from "./lib";

const { values: args } = parseArgs({
  options: { db: { type: "string" }, url: { type: "string" }, dir: { type: "string" }, "files-dir": { type: "string" } },
});
if (args.db !== "postgresql" && args.db !== "pglite") throw new Error("--db must be postgresql or pglite");
const handle = openDb(args.db === "postgresql" ? { kind: "postgresql", url: args.url!, poolSize: 4 } : { kind: "pglite", dir: args.dir! });
// As a worker that has been up a while: connected, Prisma's query engine loaded.
await handle.db.storageJob.count();
const rssBeforeMb = procStatusMb("VmRSS");
const started = process.hrtime.bigint();
// BENCH_RSS_TRACE=1: where the memory is, every 250 ms, on stderr.
const trace = process.env.BENCH_RSS_TRACE
  ? setInterval(() => {
      const m = process.memoryUsage();
      const mb = (n: number) => (n / 1048576).toFixed(0);
      process.stderr.write(`  ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)} MB\n`);
    }, 250)
  : undefined;
const result = await runNextStorageJob({ db: handle.db, workerId: "bench-runner", filesDir: args["files-dir"]! });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(trace);
await handle.close();
console.log(JSON.stringify({ id: result?.id.toString() ?? null, status: result?.status ?? null, seconds, rssBeforeMb, peakRssMb: procStatusMb("VmHWM") }));
