// Seeds the demo project once: components, configurations and a lifelike job history written
// through the same domain functions the API and the worker use. Run by `npm start`; idempotent.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { createToken, hashSecret, newTokenSecret } from "@/lib/auth/tokens";
import { closeDb, db, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { writeEvents, type EventType } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { addComponent } from "@/lib/components/components";
import { recordFirstVersion, withRows } from "@/lib/configurations/save";
import { packFolder } from "@/lib/components/pack-folder";
import { createJob } from "@/lib/jobs/create-job";
import { encryptSecrets } from "@/lib/secrets/secrets";
import { killJob } from "@/lib/jobs/kill-job";
import { activateSchedule } from "@/lib/schedules/activate-schedule";
import { nextSlots } from "@/lib/schedules/cron";
import { finishJob, type JobOutcome, startJob } from "@/lib/jobs/transitions";
import type { CreateJobInput, JobResult } from "@/lib/schemas/jobs";
import { componentRecords } from "@/worker/components";

/** Brings the database's component catalog in line with the built-in components. */
export async function registerComponents(db: Db): Promise<void> {
  // createMany + skipDuplicates: several processes may register at once without a unique-key race.
  await db.component.createMany({ data: componentRecords(), skipDuplicates: true });
  for (const c of componentRecords()) await db.component.update({ where: { id: c.id }, data: c });
}

type ConfigSeed = {
  component: string;
  id: string;
  name: string;
  disabled?: boolean;
  body: Record<string, unknown>;
  rows?: [id: string, name: string, body: Record<string, unknown>][];
};

const CONFIGS: ConfigSeed[] = [
  { component: "keboola.ex-http", id: "101", name: "Orders from the shop", body: { url: "/demo/orders.csv", table: "in.c-shop.orders", primaryKey: ["id"] } },
  { component: "keboola.ex-http", id: "102", name: "Customers from the CRM", body: { url: "/demo/customers.csv", table: "in.c-crm.customers", primaryKey: ["id"] } },
  { component: "keboola.ex-http", id: "103", name: "Exchange rates (retired)", disabled: true, body: { url: "/demo/rates.csv", table: "in.c-finance.rates" } },
  { component: "jobdeck.sql-transformation", id: "201", name: "Daily revenue", body: { input: ["in.c-shop.orders"], output: ["out.c-reports.daily_revenue"], sql: "CREATE TABLE daily_revenue AS SELECT order_date, round(sum(amount::numeric), 2)::text AS revenue, count(*)::text AS orders FROM orders GROUP BY order_date ORDER BY order_date" } },
  { component: "jobdeck.sql-transformation", id: "202", name: "Customer segments", body: { input: ["in.c-crm.customers", "in.c-shop.orders"], output: ["out.c-reports.segments"], sql: "CREATE TABLE segments AS SELECT c.id, c.country, CASE WHEN sum(o.amount::numeric) > 2000 THEN 'gold' WHEN sum(o.amount::numeric) > 800 THEN 'silver' ELSE 'standard' END AS segment FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.country" } },
  {
    component: "keboola.python-transformation-v2",
    id: "301",
    name: "Churn model scoring",
    body: {
      storage: {
        input: { tables: [{ source: "out.c-reports.segments", destination: "segments.csv" }] },
        output: { tables: [{ source: "churn_scores.csv", destination: "out.c-ml.churn_scores", primary_key: ["customer_id"] }] },
      },
      parameters: {
        blocks: [
          { name: "Load", codes: [{ name: "Read segments", script: ["import csv", "segments = list(csv.DictReader(open('in/tables/segments.csv')))", "print(f'Scoring {len(segments)} customers')"] }] },
          {
            name: "Score",
            codes: [{
              name: "Rule-based model v3",
              script: [
                "RISK = {'standard': 0.62, 'silver': 0.31, 'gold': 0.12}",
                "with open('out/tables/churn_scores.csv', 'w', newline='') as f:",
                "    w = csv.writer(f)",
                "    w.writerow(['customer_id', 'score', 'model_version'])",
                "    for s in segments:",
                "        w.writerow([s['id'], f\"{RISK.get(s['segment'], 0.5) + (int(s['id']) % 7) / 100:.2f}\", 'v3'])",
                "high = sum(1 for s in segments if s['segment'] == 'standard')",
                "print(f'{high} customers at high risk of churning')",
              ],
            }],
          },
        ],
      },
    },
  },
  {
    component: "acme.ex-weather",
    id: "701",
    name: "Weather at our warehouses",
    body: { parameters: { cities: ["Prague", "Berlin", "Lisbon"], table: "in.c-weather.readings", "#api_key": "demo-weather-key-7f3a9c" } },
  },
  { component: "jobdeck.wr-files", id: "401", name: "Revenue report to files", body: { tables: ["out.c-reports.daily_revenue"] } },
  { component: "keboola.orchestrator", id: "501", name: "Nightly pipeline", body: { phases: [{ name: "Extract", tasks: ["keboola.ex-http/101", "keboola.ex-http/102", "acme.ex-weather/701"] }, { name: "Transform", tasks: ["jobdeck.sql-transformation/201", "jobdeck.sql-transformation/202"] }, { name: "Score", tasks: ["keboola.python-transformation-v2/301"] }, { name: "Load", tasks: ["jobdeck.wr-files/401"] }] } },
  { component: "jobdeck.generator", id: "601", name: "Load test: 10k rows", body: { rows: 10000, durationSeconds: 20, failureProbability: 0.1 } },
  { component: "jobdeck.generator", id: "602", name: "Event stream replay", body: { rows: 50000, durationSeconds: 45 } },
  { component: "jobdeck.generator", id: "603", name: "Sensor readings", body: { rows: 20000, durationSeconds: 25 } },
  { component: "jobdeck.generator", id: "604", name: "Flaky partner export", body: { rows: 100, durationSeconds: 8, failureProbability: 0.35 } },
  { component: "jobdeck.generator", id: "605", name: "Regional loads", body: { durationSeconds: 15 }, rows: [["eu", "Europe", { rows: 3000 }], ["us", "Americas", { rows: 5000 }], ["apac", "Asia Pacific", { rows: 2000 }], ["mea", "Middle East & Africa", { rows: 800 }]] },
  { component: "keboola.orchestrator", id: "502", name: "Hourly load test", body: { phases: [{ name: "Generate", tasks: ["jobdeck.generator/603", { component: "jobdeck.generator", configData: { rows: 2000, durationSeconds: 12 } }] }, { name: "Check", tasks: ["jobdeck.generator/604"] }] } },
];

const TABLES: Record<string, string[]> = {
  "in.c-shop.orders": ["id", "customer_id", "order_date", "amount", "currency"],
  "in.c-crm.customers": ["id", "name", "email", "country", "created_at"],
  "out.c-reports.daily_revenue": ["order_date", "revenue"],
  "out.c-reports.segments": ["id", "segment"],
  "out.c-ml.churn_scores": ["customer_id", "score", "model_version"],
  "in.c-weather.readings": ["city", "hour", "temperature_c", "wind_kmh"],
};

function table(id: string, bytes: number) {
  const name = id.split(".").at(-1)!;
  return { id, name, displayName: name, columns: (TABLES[id] ?? ["id"]).map((c) => ({ name: c })), bytes };
}

// A small deterministic PRNG so every fresh demo looks the same.
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const minutes = (n: number) => n * 60_000;

type Ctx = { db: Db; projectId: number; tokenId: number; rand: () => number };

async function log(ctx: Ctx, job: Job, at: Date, lines: [EventType, string][]) {
  await writeEvents({
    db: ctx.db,
    events: lines.map(([type, message], i) => ({
      projectId: ctx.projectId,
      jobId: job.id,
      runId: job.runId,
      event: "job.log",
      component: job.component,
      type,
      message,
      created: new Date(at.getTime() + i * 1000),
    })),
  });
}

/** What a finished job of `config` read and wrote, as the worker will report it. */
function outcomeOf(config: ConfigSeed | undefined, outcome: JobOutcome, rand: () => number, debug: boolean) {
  const body = config?.body ?? {};
  // Keboola's mappings (storage.input/output.tables) or the built-ins' own keys.
  const storage = body.storage as { input?: { tables?: { source: string }[] }; output?: { tables?: { destination: string }[] } } | undefined;
  const parameters = body.parameters as { table?: string } | undefined;
  const inputs = storage?.input?.tables?.map((t) => t.source) ?? (body.input as string[] | undefined) ?? (body.tables as string[] | undefined) ?? [];
  const outputs = storage?.output?.tables?.map((t) => t.destination) ?? (body.output as string[] | undefined) ?? (body.table ? [body.table as string] : parameters?.table ? [parameters.table] : []);
  const input = inputs.map((id) => table(id, Math.round(50_000 + rand() * 5_000_000)));
  // Debug runs write nothing to Storage.
  const output = outcome === "fail" || debug ? [] : outputs.map((id) => table(id, Math.round(20_000 + rand() * 2_000_000)));
  const result: JobResult = {
    message: outcome === "fail" ? "Job failed" : outcome === "warn" ? "Finished with warnings" : "Job finished successfully",
    input: { tables: input },
    output: { tables: output },
    ...(outcome === "fail"
      ? { error: { type: "user" as const, message: 'Column "amount" does not exist in table "orders" (line 3).' } }
      : {}),
  };
  return {
    result,
    inputTablesBytesSum: input.reduce((s, t) => s + t.bytes, 0),
    outputTablesBytesSum: output.reduce((s, t) => s + t.bytes, 0),
  };
}

async function runJob(ctx: Ctx, input: CreateJobInput, opts: { at: Date; seconds: number; outcome: JobOutcome | "processing" | "created"; parentRunId?: string; type?: Job["type"]; phase?: number }) {
  const job = await createJob({
    db: ctx.db,
    auth: ctx,
    input,
    parentRunId: opts.parentRunId,
    type: opts.type as never,
    phase: opts.phase,
    now: opts.at,
  });
  if (opts.outcome === "created") return job;
  const startAt = new Date(opts.at.getTime() + 2000 + Math.round(ctx.rand() * 8000));
  await startJob({ db: ctx.db, jobId: job.id, workerId: "seed", now: startAt });
  const config = CONFIGS.find((c) => c.component === input.component && c.id === input.config);
  await log(ctx, job, startAt, [
    ["info", `Running component ${input.component}${config ? ` configuration "${config.name}"` : ""}`],
    ["info", `Backend size: ${input.backend?.size ?? "small"}`],
  ]);
  if (opts.outcome === "processing") return job;
  const endAt = new Date(startAt.getTime() + opts.seconds * 1000);
  const outcome = outcomeOf(config, opts.outcome, ctx.rand, input.mode === "debug");
  for (const t of outcome.result.input?.tables ?? []) await log(ctx, job, startAt, [["info", `Exported table ${t.id} (${t.bytes} bytes) from Storage`]]);
  for (const t of outcome.result.output?.tables ?? []) await log(ctx, job, endAt, [["info", `Imported table ${t.id} (${t.bytes} bytes) into Storage`]]);
  await finishJob({ db: ctx.db, jobId: job.id, outcome: opts.outcome, ...outcome, usageData: {}, now: endAt });
  await log(ctx, job, endAt, [
    opts.outcome === "fail"
      ? ["error", outcome.result.error!.message]
      : opts.outcome === "warn"
        ? ["warn", "A child job failed; finished with a warning"]
        : ["success", `Job ${job.id} finished successfully`],
  ]);
  return job;
}

/** One nightly orchestration: orchestrationContainer → phaseContainer → standard jobs. */
async function markSpawned(db: Db, jobId: bigint) {
  await db.job.update({ where: { id: jobId }, data: { childrenSpawnedAt: new Date() } });
}

async function orchestration(ctx: Ctx, at: Date, shape: "success" | "error" | "warning") {
  const root = await createJob({
    db: ctx.db,
    auth: ctx,
    input: { component: "keboola.orchestrator", config: "501", mode: "run", ...(shape === "warning" ? { behavior: { onError: "warning" } } : {}) },
    now: at,
  });
  await startJob({ db: ctx.db, jobId: root.id, workerId: "seed", now: new Date(at.getTime() + 1000) });
  const phases = CONFIGS.find((c) => c.id === "501")!.body.phases as { name: string; tasks: string[] }[];
  let clock = at.getTime() + 3000;
  let failed = false;
  // Like the engine: every phase is created up front and waits for the one before it.
  const containers: Job[] = [];
  for (const [index, phase] of phases.entries()) {
    containers.push(
      await createJob({
        db: ctx.db,
        auth: ctx,
        input: { component: "keboola.orchestrator", configData: { phase: phase.name, tasks: phase.tasks }, mode: "run" },
        parentRunId: root.runId,
        type: "phaseContainer",
        phase: index,
        now: new Date(clock),
      }),
    );
  }
  await markSpawned(ctx.db, root.id);
  for (const [index, phase] of phases.entries()) {
    const container = containers[index]!;
    const phaseAt = new Date(clock);
    if (failed) {
      await killJob({ db: ctx.db, projectId: ctx.projectId, id: container.id.toString(), now: phaseAt });
      continue;
    }
    await startJob({ db: ctx.db, jobId: container.id, workerId: "seed", now: phaseAt });
    await markSpawned(ctx.db, container.id);
    let longest = 0;
    let phaseFailed = false;
    for (const [t, task] of phase.tasks.entries()) {
      const [component, config] = task.split("/") as [string, string];
      const seconds = Math.round(20 + ctx.rand() * 240);
      longest = Math.max(longest, seconds);
      let outcome: JobOutcome = "succeed";
      if (index === 1 && t === 1 && (shape === "error" || shape === "warning")) outcome = "fail";
      if (outcome === "fail") phaseFailed = true;
      await runJob(ctx, { component, config, mode: "run", backend: { size: index === 1 ? "medium" : "small" } }, {
        at: new Date(clock + t * 500),
        seconds,
        outcome,
        parentRunId: container.runId,
      });
    }
    clock += (longest + 15) * 1000;
    const phaseOutcome: JobOutcome = phaseFailed ? (shape === "warning" ? "warn" : "fail") : "succeed";
    await finishJob({ db: ctx.db, jobId: container.id, outcome: phaseOutcome, result: { message: `Phase "${phase.name}" ${phaseFailed ? "had a failed task" : "finished"}` }, now: new Date(clock) });
    if (phaseFailed && shape === "error") failed = true;
  }
  const outcome: JobOutcome = shape === "error" ? "fail" : shape === "warning" ? "warn" : "succeed";
  await finishJob({
    db: ctx.db,
    jobId: root.id,
    outcome,
    result: {
      message: shape === "error" ? "Orchestration failed" : shape === "warning" ? "Orchestration finished with warnings" : "Orchestration finished",
      ...(shape === "error" ? { error: { type: "user" as const, message: 'Phase "Transform" failed: task jobdeck.sql-transformation/202 ended with an error.' } } : {}),
    },
    now: new Date(clock + 2000),
  });
  return root;
}

export async function seedDemo(options: { db: Db; demoToken: string; now?: Date }): Promise<{ created: boolean; projectId: number }> {
  const { db } = options;
  const now = options.now ?? new Date();
  await registerComponents(db);
  const existing = await db.project.findFirst({ where: { isDemo: true } });
  if (existing) {
    // A newly chosen JOBDECK_DEMO_TOKEN joins the existing demo project.
    const known = await db.token.findUnique({ where: { secretHash: hashSecret(options.demoToken) } });
    if (!known) await createToken({ db, projectId: existing.id, description: "Demo token", secret: options.demoToken });
    return { created: false, projectId: existing.id };
  }
  const project = await db.project.create({ data: { name: "Demo project", isDemo: true } });
  const token = await createToken({ db, projectId: project.id, description: "demo@jobdeck.local", secret: options.demoToken });
  await createToken({ db, projectId: project.id, description: "Read-only viewer", permission: "read" });
  // The trickle of demo jobs (worker/demo-activity.ts) runs under its own token.
  const activity = await createToken({ db, projectId: project.id, description: "Demo activity" });
  // The demo's own component, added as a team adds theirs: a folder of code with a command.
  await addComponent({
    db,
    auth: { projectId: project.id, tokenId: token.id },
    input: {
      id: "acme.ex-weather",
      name: "ACME Weather",
      type: "extractor",
      description: "Hourly weather readings for a list of cities, incrementally since the last run (a Python program added to the demo project).",
      configurationSchema: {
        type: "object",
        required: ["cities", "#api_key"],
        properties: { cities: { type: "array", items: { type: "string" }, minItems: 1 }, table: { type: "string" }, "#api_key": { type: "string" } },
      },
      settings: { timeoutSeconds: 300, memoryMb: 256 },
      command: ["python3", "main.py"],
      tag: "1.0.0",
    },
    code: { bytes: await packFolder(path.join(import.meta.dirname, "demo-components", "acme-ex-weather")), fileName: "acme-ex-weather.tar.gz" },
  });
  // Written before the history below, as a team's configurations are before their jobs, each with
  // its first version of that time: a job's page then knows the version it ran with (a state the
  // job saves later is no new version).
  const configuredAt = new Date(now.getTime() - 14 * 86_400_000);
  for (const c of CONFIGS) {
    const created = await db.configuration.create({
      data: {
        createdAt: configuredAt,
        updatedAt: configuredAt,
        projectId: project.id,
        componentId: c.component,
        configId: c.id,
        name: c.name,
        isDisabled: c.disabled ?? false,
        configuration: encryptSecrets(c.body, { projectId: project.id }) as object,
        rows: { create: (c.rows ?? []).map(([rowId, name, body], i) => ({ rowId, name, configuration: body as object, sortOrder: i })) },
      },
      include: withRows,
    });
    await recordFirstVersion(db, created, "Configuration created", { tokenId: token.id, tokenDescription: "demo@jobdeck.local" });
  }

  const rand = prng(42);
  const me: Ctx = { db, projectId: project.id, tokenId: token.id, rand };
  const demo: Ctx = { ...me, tokenId: activity.id };

  // The scheduled history comes from real schedules: each past slot's job runs under the
  // schedule's own token and is recorded as its execution, as the scheduling loop would have.
  const schedule = async (name: string, cronTab: string, config: string, component = "keboola.ex-http") => {
    const { schedule } = await activateSchedule({
      db,
      auth: me,
      input: { name, configuration: { schedule: { cronTab, timezone: "UTC", state: "enabled" }, target: { componentId: component, configurationId: config, mode: "run" } } },
      now,
    });
    const ctx: Ctx = { ...me, tokenId: schedule.tokenId };
    const slots = (days: number) => nextSlots({ cronTab, timezone: "UTC", after: new Date(now.getTime() - days * 86_400_000), count: 100 }).filter((d) => d < now);
    const record = (slot: Date, job: Job) => db.scheduleExecution.create({ data: { scheduleId: schedule.id, slotTime: slot, executionTime: job.createdTime, status: "created", jobId: job.id } });
    return { ctx, slots, record };
  };

  // Five nights of orchestrations, oldest first.
  const nightly = await schedule("Nightly pipeline", "0 2 * * *", "501", "keboola.orchestrator");
  const shapes = ["success", "success", "error", "success", "warning"] as const;
  for (const [i, slot] of nightly.slots(5.5).slice(-5).entries()) await nightly.record(slot, await orchestration(nightly.ctx, slot, shapes[i]!));

  // Extractor runs every six hours over the last two days, with the occasional failure.
  for (const [name, cronTab, config] of [["Shop orders every 6 hours", "7 */6 * * *", "101"], ["CRM customers every 6 hours", "37 3-23/6 * * *", "102"]] as const) {
    const s = await schedule(name, cronTab, config);
    for (const slot of s.slots(2)) {
      const outcome: JobOutcome = rand() < 0.15 ? "fail" : "succeed";
      await s.record(slot, await runJob(s.ctx, { component: "keboola.ex-http", config, mode: "run" }, { at: slot, seconds: Math.round(8 + rand() * 50), outcome }));
    }
  }
  // Hand-run jobs: debug, force-run of a disabled configuration, inline configData, Python.
  await runJob(me, { component: "jobdeck.sql-transformation", config: "201", mode: "debug", backend: { size: "large" } }, { at: new Date(now.getTime() - minutes(300)), seconds: 640, outcome: "succeed" });
  await runJob(me, { component: "keboola.ex-http", config: "103", mode: "forceRun" }, { at: new Date(now.getTime() - minutes(240)), seconds: 31, outcome: "fail" });
  await runJob(me, { component: "jobdeck.generator", configData: { rows: 500, durationSeconds: 5 }, mode: "run", tag: "1.4.0" }, { at: new Date(now.getTime() - minutes(200)), seconds: 6, outcome: "succeed" });
  await runJob(me, { component: "keboola.python-transformation-v2", config: "301", mode: "run", backend: { size: "large" } }, { at: new Date(now.getTime() - minutes(180)), seconds: 1900, outcome: "succeed" });
  await runJob(me, { component: "keboola.python-transformation-v2", config: "301", mode: "run", backend: { size: "medium" } }, { at: new Date(now.getTime() - minutes(120)), seconds: 45, outcome: "warn" });
  await runJob(demo, { component: "acme.ex-weather", config: "701", mode: "run", tag: "1.0.0" }, { at: new Date(now.getTime() - minutes(150)), seconds: 4, outcome: "succeed" });
  await runJob(demo, { component: "acme.ex-weather", config: "701", mode: "run", tag: "1.0.0" }, { at: new Date(now.getTime() - minutes(60)), seconds: 3, outcome: "fail" });

  // Killed before it started (cancelled) and killed while running (terminated).
  const cancelled = await runJob(me, { component: "jobdeck.generator", config: "601", mode: "run" }, { at: new Date(now.getTime() - minutes(90)), seconds: 0, outcome: "created" });
  await killJob({ db, projectId: project.id, id: cancelled.id.toString(), killedBy: "demo@jobdeck.local", now: new Date(now.getTime() - minutes(89)) });
  const stopped = await runJob(me, { component: "jobdeck.generator", config: "601", mode: "run" }, { at: new Date(now.getTime() - minutes(80)), seconds: 0, outcome: "processing" });
  await killJob({ db, projectId: project.id, id: stopped.id.toString(), killedBy: "demo@jobdeck.local", now: new Date(now.getTime() - minutes(78)) });
  await finishJob({ db, jobId: stopped.id, outcome: "succeed", now: new Date(now.getTime() - minutes(78) + 800) });

  // Right now: real queued jobs the workers pick up as soon as the server starts: a hand-run of
  // the pipeline (it fills Storage from the demo CSVs this server serves), an orchestration of
  // generator tasks, and two runs of one configuration (the second waits on its lock).
  await createJob({ db, auth: me, input: { component: "keboola.orchestrator", config: "501", mode: "run" }, now });
  await createJob({ db, auth: demo, input: { component: "keboola.orchestrator", config: "502", mode: "run" }, now });
  await createJob({ db, auth: me, input: { component: "jobdeck.generator", config: "602", mode: "run" }, now });
  await createJob({ db, auth: me, input: { component: "jobdeck.generator", config: "602", mode: "run" }, now });
  await createJob({ db, auth: me, input: { component: "acme.ex-weather", config: "701", mode: "run" }, now });
  return { created: true, projectId: project.id };
}

/** The demo token: JOBDECK_DEMO_TOKEN, or one made up on first start and kept in the data folder. */
export function demoTokenSecret(): string {
  if (env.JOBDECK_DEMO_TOKEN) return env.JOBDECK_DEMO_TOKEN;
  const file = path.join(env.dataDir, "demo-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(env.dataDir, { recursive: true });
  const secret = newTokenSecret(1);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main() {
  const demoToken = demoTokenSecret();
  const result = await seedDemo({ db: db(), demoToken });
  await closeDb();
  console.log(result.created ? "Seeded the demo project." : "The demo project is already there.");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch(async (error) => {
    console.error(error);
    await closeDb();
    process.exit(1);
  });
}
