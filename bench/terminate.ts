// Terminate latency: from the kill request to `terminated`, for processing jobs run by worker
// processes on PostgreSQL (the signal travels by NOTIFY).
//   npm run bench:terminate -- [--jobs 40] [--quick]
import { type ChildProcess, spawn } from "node:child_process";
import { createToken } from "@/lib/auth/tokens";
import { openDb } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { registerComponents } from "@/prisma/seed";
import { adminUrl, createDatabase } from "@/test/postgres";
import { machine, options, percentile, table } from "./lib";

const opts = options({ jobs: { default: "40" } });
const jobs = opts.quick ? Math.min(opts.jobs, 16) : opts.jobs;

const database = await createDatabase(adminUrl(), "jobdeck_bench_");
const workers: ChildProcess[] = [];
try {
  await new Promise((r) =>
    spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: database.url }, stdio: "ignore" }).on("exit", r),
  );
  const { db, close } = openDb({ kind: "postgresql", url: database.url, poolSize: 4 });
  await registerComponents(db);
  const project = await db.project.create({ data: { name: "bench", maxProcessingJobs: jobs } });
  const token = await createToken({ db, projectId: project.id, description: "bench" });
  for (let i = 0; i < 2; i++) {
    workers.push(
      spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "worker/main.ts"], {
        env: { ...process.env, DATABASE_URL: database.url, WORKER_CONCURRENCY: String(Math.ceil(jobs / 2)) },
        stdio: ["ignore", "ignore", "inherit"],
      }),
    );
  }
  const ids: bigint[] = [];
  for (let i = 0; i < jobs; i++) {
    ids.push((await createJob({ db, auth: { projectId: project.id, tokenId: token.id }, input: { component: "jobdeck.generator", configData: { durationSeconds: 3600, i }, mode: "run" } })).id);
  }
  while ((await db.job.count({ where: { id: { in: ids }, status: "processing" } })) < jobs) await new Promise((r) => setTimeout(r, 50));

  const latencies: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await killJob({ db, projectId: project.id, id: id.toString() });
    for (;;) {
      const job = await db.job.findUniqueOrThrow({ where: { id }, select: { status: true } });
      if (job.status === "terminated") break;
      await new Promise((r) => setTimeout(r, 2));
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  console.log(`Terminate latency — ${jobs} processing jobs on 2 worker processes — ${machine("PostgreSQL 127.0.0.1")}`);
  table("target: p95 ≤ 1000 ms", [
    { jobs, "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95), "max ms": latencies.at(-1)!, "p95 ÷ target": percentile(latencies, 95) / 1000 },
  ]);
  await close();
} finally {
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on("exit", r)))));
  await database.drop();
}
