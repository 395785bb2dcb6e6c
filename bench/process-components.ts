// Process components: what the Common Interface runtime costs beside the built-in no-op, on PGlite
// and PostgreSQL, each database in its own process with a worker inside it (as `npm start` runs).
//   npm run bench:components -- [--jobs 40] [--lines 1000000] [--kills 10] [--db pglite|postgresql|both] [--quick]
// - overhead: created → success of a no-op process component (`sh noop.sh`, one empty input table)
//   beside the built-in jobdeck.noop, p50/p95 (target p95 ≤ 300 ms);
// - output: a component printing N lines: lines/s through the sandbox into capped events, and the
//   peak RSS of the process beside its RSS before the run (target: flat);
// - terminate: a component that ignores SIGTERM, kill → terminated (target p95 ≤ grace + 500 ms).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createToken } from "@/lib/auth/tokens";
import { addComponent } from "@/lib/components/components";
import { packFolder } from "@/lib/components/pack-folder";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput } from "@/lib/schemas/jobs";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, postgresAnswers } from "@/test/postgres";
import { openBenchDb } from "./bench-db";
import { storageClient } from "@/worker/components/storage-client";
import { startWorker } from "@/worker/worker";
import { Readable } from "node:stream";
import { machine, percentile, table } from "./lib";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "40" },
    lines: { type: "string", default: "1000000" },
    kills: { type: "string", default: "10" },
    db: { type: "string", default: "both" },
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
const jobs = args.quick ? Math.min(Number(args.jobs), 15) : Number(args.jobs);
const lines = args.quick ? Math.min(Number(args.lines), 200_000) : Number(args.lines);
const kills = args.quick ? Math.min(Number(args.kills), 5) : Number(args.kills);
const out = path.resolve("bench/.out");

type Row = Record<string, string | number>;

async function finished(db: Db, id: bigint) {
  for (;;) {
    const job = await db.job.findUniqueOrThrow({ where: { id } });
    if ((FINAL_STATUSES as readonly string[]).includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function runOn(database: "pglite" | "postgresql"): Promise<{ overhead: Row[]; output: Row[]; terminate: Row[] }> {
  const workDir = path.join(out, `components-${database}-${Date.now()}`);
  const { handle, cleanup } = await openBenchDb(database, workDir, 8);
  const db = handle.db;
  const stopStorage = new AbortController();
  const storageDone = startStorageWorker({ concurrency: 2, signal: stopStorage.signal, db });
  const worker = startWorker({ db, concurrency: 4, log: () => undefined });
  try {
    await registerComponents(db);
    const project = await db.project.create({ data: { name: "bench", maxProcessingJobs: 100 } });
    const token = await createToken({ db, projectId: project.id, description: "bench" });
    const auth = { projectId: project.id, tokenId: token.id };
    const code = async (dir: string) => ({ bytes: await packFolder(dir), fileName: "code.tar.gz" });
    await addComponent({ db, auth, input: { id: "bench.noop", name: "No-op process", type: "other", description: "", configurationSchema: null, settings: {}, command: ["sh", "noop.sh"], tag: "v1" }, code: await code("bench/components/noop") });
    await addComponent({ db, auth, input: { id: "bench.probe", name: "Probe", type: "other", description: "", configurationSchema: null, settings: {}, command: ["python3", "main.py"], tag: "v1" }, code: await code("test/fixtures/components/python-probe") });
    // One empty input table for the no-op process component's input mapping.
    const seedJob = await db.job.create({ data: { projectId: project.id, tokenId: token.id, runId: "1", rootRunId: "1", component: "jobdeck.noop", status: "success" } });
    const storage = storageClient(db, seedJob, new AbortController().signal);
    await storage.writeTable("in.c-bench.empty", await storage.saveFile("empty.csv", Readable.from(["id,value\n"])));

    const run = async (input: CreateJobInput) => {
      const job = await createJob({ db, auth, input });
      const end = await finished(db, job.id);
      if (end.status !== "success") throw new Error(`job ${job.id} (${input.component}) ended ${end.status}: ${JSON.stringify(end.result)}`);
      return end.endTime!.getTime() - end.createdTime.getTime();
    };
    const overhead: Row[] = [];
    const kinds: [string, CreateJobInput][] = [
      ["built-in jobdeck.noop", { component: "jobdeck.noop", mode: "run" } as CreateJobInput],
      ["process sh noop.sh + 1 empty input table", { component: "bench.noop", mode: "run", configData: { storage: { input: { tables: [{ source: "in.c-bench.empty", destination: "empty.csv" }] } } } } as CreateJobInput],
    ];
    const p95s: number[] = [];
    for (const [name, input] of kinds) {
      await run(input); // warm: unpacked code, prepared statements
      const ms: number[] = [];
      for (let i = 0; i < jobs; i++) ms.push(await run(input));
      ms.sort((a, b) => a - b);
      p95s.push(percentile(ms, 95));
      overhead.push({ database, job: name, jobs, "p50 ms": percentile(ms, 50), "p95 ms": percentile(ms, 95), "max ms": ms.at(-1)! });
    }
    overhead.push({ database, job: "process ÷ built-in (p95)", jobs, "p50 ms": "", "p95 ms": p95s[1]! / p95s[0]!, "max ms": "" });

    // Output: N lines printed as fast as Python can.
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const printed = await createJob({ db, auth, input: { component: "bench.probe", mode: "run", configData: { parameters: { mode: "print", lines } } } as CreateJobInput });
    const printedEnd = await finished(db, printed.id);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const events = await db.jobEvent.count({ where: { projectId: project.id, runId: printed.runId } });
    const output: Row[] = [{
      database,
      lines,
      status: printedEnd.status,
      seconds,
      "lines/s": lines / seconds,
      "events stored": events,
      "RSS before MB": before / 2 ** 20,
      "peak RSS MB": peak / 2 ** 20,
      "peak ÷ before": peak / before,
    }];

    // Terminate: programs that ignore SIGTERM, killed once they run.
    const latencies: number[] = [];
    for (let i = 0; i < kills; i++) {
      const job = await createJob({ db, auth, input: { component: "bench.probe", mode: "run", configData: { parameters: { mode: "ignore-term" } } } as CreateJobInput });
      for (;;) {
        const ready = await db.jobEvent.findFirst({ where: { projectId: project.id, runId: job.runId, message: "ready" } });
        if (ready) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const k0 = performance.now();
      await killJob({ db, projectId: project.id, id: job.id.toString() });
      for (;;) {
        const j = await db.job.findUniqueOrThrow({ where: { id: job.id }, select: { status: true } });
        if (j.status === "terminated") break;
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - k0);
    }
    latencies.sort((a, b) => a - b);
    const target = env.JOBDECK_KILL_GRACE_MS + 500;
    const terminate: Row[] = [{ database, kills, "grace ms": env.JOBDECK_KILL_GRACE_MS, "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95), "max ms": latencies.at(-1)!, "p95 ÷ target": percentile(latencies, 95) / target }];
    return { overhead, output, terminate };
  } finally {
    await worker.stop({ graceMs: 5_000 });
    stopStorage.abort();
    await storageDone;
    await handle.close();
    await cleanup().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (args.json) {
  if (args.db !== "pglite" && args.db !== "postgresql") throw new Error(`--db must be pglite, postgresql or both, not ${args.db}`);
  console.log(JSON.stringify(await runOn(args.db)));
  process.exit(0);
}
const wanted = args.db === "both" ? ["pglite", "postgresql"] : [args.db!];
const all = { overhead: [] as Row[], output: [] as Row[], terminate: [] as Row[] };
for (const database of wanted) {
  if (database === "postgresql" && !(await postgresAnswers())) {
    console.warn(`PostgreSQL does not answer at ${adminUrl()}: skipped.`);
    continue;
  }
  process.stderr.write(`› ${database}…\n`);
  const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", process.argv[1]!, "--jobs", String(jobs), "--lines", String(lines), "--kills", String(kills), "--db", database, "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !last.startsWith("{")) throw new Error(`${database} run failed (exit ${child.status})`);
  const result = JSON.parse(last) as typeof all;
  all.overhead.push(...result.overhead);
  all.output.push(...result.output);
  all.terminate.push(...result.terminate);
}
console.log(`Process components — ${machine(wanted.join(" and "))} — sandbox ${env.JOBDECK_SANDBOX}`);
table("Overhead, created → success (target: process p95 ≤ 300 ms)", all.overhead);
table("Output of a line printer into capped events (target: peak RSS flat)", all.output);
table("Terminate of a program that ignores SIGTERM (target: p95 ≤ grace + 500 ms)", all.terminate);
