import "server-only";
// One job of a process component over Keboola's Common Interface, per configuration row:
// prepare the data folder (input mapping, config.json, state) → processors.before → the component →
// processors.after → output mapping (or, in debug mode, zips of the folder at each stage instead).
// Each step lives in its own module of this folder; this one only strings them together.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { createToken } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Job } from "@/lib/generated/prisma/client";
import type { ProcessRun } from "@/lib/schemas/jobs";
import { decryptSecrets, redactor } from "@/lib/secrets/secrets";
import { storeFile } from "@/lib/storage/files/store-file";
import { createReadStream } from "node:fs";
import { ApplicationError, type RunContext, RunFailure, type RunResult, UserError } from "@/worker/components/types";
import { prepareDataFolder } from "./data-folder";
import { outputEvents } from "./output-events";
import { applyOutputMapping, planOutputMapping, readOutputState } from "./output-mapping";
import { runProcess } from "./run-process";
import { type ComponentSettings, runLimits } from "./settings";
import { storeSnapshot } from "./snapshot";
import type { ProcessOutcome } from "./types";

/** A program the runtime can run: a process component's version, or a built-in shipped as code. */
export type Program = {
  componentId: string;
  version?: string;
  command: string[];
  codeDir: string;
  settings: ComponentSettings;
};

export type ProgramResolver = (options: { db: Db; projectId: number; componentId: string; tag?: string | null }) => Promise<Program>;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Keboola merges a row over its configuration: the row's keys win, `parameters` merge one level deep. */
export function rowConfiguration(configuration: Json, row: Json): Json {
  const parameters = { ...(isObject(configuration.parameters) ? configuration.parameters : {}), ...(isObject(row.parameters) ? row.parameters : {}) };
  return { ...configuration, ...row, parameters };
}

type ProcessorSpec = { componentId: string; tag?: string; parameters: Json };

function processors(configuration: Json, when: "before" | "after"): ProcessorSpec[] {
  const section = configuration.processors;
  if (section === undefined) return [];
  if (!isObject(section)) throw new UserError('Configuration "processors" must be an object with "before" and/or "after" lists.');
  const list = section[when] ?? [];
  if (!Array.isArray(list)) throw new UserError(`Configuration "processors.${when}" must be a list.`);
  return list.map((p, i) => {
    const where = `processors.${when}[${i}]`;
    if (!isObject(p) || !isObject(p.definition) || typeof p.definition.component !== "string" || p.definition.component === "") {
      throw new UserError(`Configuration "${where}" must be {"definition": {"component": "<component id>"}, "parameters": {…}}.`);
    }
    if (p.definition.tag !== undefined && typeof p.definition.tag !== "string") throw new UserError(`Configuration "${where}.definition.tag" must be a string.`);
    if (p.parameters !== undefined && !isObject(p.parameters)) throw new UserError(`Configuration "${where}.parameters" must be an object.`);
    return { componentId: p.definition.component, tag: p.definition.tag as string | undefined, parameters: (p.parameters as Json | undefined) ?? {} };
  });
}

function describeEnd(label: string, outcome: ProcessOutcome, program: { limits: ReturnType<typeof runLimits> }): string | null {
  switch (outcome.end) {
    case "timeout":
      return `${label} ran longer than its time limit of ${program.limits.timeoutSeconds} s and was stopped.`;
    case "memory":
      return `${label} used more than its memory limit of ${program.limits.memoryMb} MiB and was stopped.`;
    case "dataFolder":
      return `${label} wrote more than its data folder limit of ${program.limits.dataFolderMb} MiB and was stopped.`;
    case "spawnFailed":
      return `${label} could not be started: ${outcome.message ?? "unknown reason"}`;
    default:
      return null;
  }
}

/** Exit 1: the user's error, in the program's own last words (stderr first). */
function userMessage(label: string, outcome: ProcessOutcome): string {
  const stderr = outcome.tail.filter((l) => l.stream === "stderr");
  const lines = (stderr.length > 0 ? stderr : outcome.tail).map((l) => l.text).filter((t) => t.trim() !== "");
  const text = lines.slice(-10).join("\n").slice(-2000);
  return text ? text : `${label} failed (exit code 1) without saying why.`;
}

/** After a processor, what it wrote is what the next step reads: out/ becomes in/, out/ starts empty. */
async function shiftOutputs(dataDir: string) {
  for (const kind of ["tables", "files"]) {
    await fs.rm(path.join(dataDir, "in", kind), { recursive: true, force: true });
    await fs.rename(path.join(dataDir, "out", kind), path.join(dataDir, "in", kind));
    await fs.mkdir(path.join(dataDir, "out", kind), { recursive: true });
  }
}

async function storeState(db: Db, job: Job, rowId: string | undefined, state: Json) {
  if (!job.config) return;
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId: job.projectId, componentId: job.component, branchId: job.branchId, configId: job.config } },
    select: { pk: true },
  });
  if (!config) return;
  if (rowId) await db.configurationRow.updateMany({ where: { configurationPk: config.pk, rowId }, data: { state: state as object } });
  else await db.configuration.update({ where: { pk: config.pk }, data: { state: state as object } });
}

async function loadState(db: Db, job: Job, rowId: string | undefined): Promise<Json> {
  if (!job.config) return {};
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId: job.projectId, componentId: job.component, branchId: job.branchId, configId: job.config } },
    include: rowId ? { rows: { where: { rowId } } } : undefined,
  });
  const state = rowId ? (config as { rows?: { state: unknown }[] } | null)?.rows?.[0]?.state : config?.state;
  return isObject(state) ? state : {};
}

/** Keboola's default bucket for a configuration: out.c-<component id with dots as dashes>-<config id>. */
export function defaultBucketOf(componentId: string, configId: string | null): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "-");
  return `out.c-${clean(componentId)}${configId ? `-${clean(configId)}` : ""}`;
}

export async function runCommonInterface(ctx: RunContext, program: Program, resolve?: ProgramResolver): Promise<RunResult> {
  const { db, job } = ctx;
  const units = ctx.rows.length > 0 ? ctx.rows.map((r) => ({ rowId: r.id as string | undefined, configuration: rowConfiguration(ctx.configuration, r.configuration) })) : [{ rowId: undefined, configuration: ctx.configuration }];
  const done: Required<Pick<RunResult, "processes" | "files" | "input" | "output">> = { processes: [], files: [], input: [], output: [] };
  const root = path.join(env.runDir, "jobs", `${job.id}-${job.attempt}-${randomBytes(4).toString("hex")}`);
  await fs.mkdir(root, { recursive: true, mode: 0o711 });
  // A token for the run, only for components flagged to get one; revoked when the run ends.
  let forwarded: { id: number; secret: string } | null = null;
  try {
    if (program.settings.forwardToken) {
      const owner = await db.token.findUnique({ where: { id: job.tokenId }, select: { permission: true } });
      forwarded = await createToken({ db, projectId: job.projectId, description: `Job ${job.id} (${job.component})`, permission: (owner?.permission as "manage" | "read") ?? "read" });
    }
    for (const unit of units) {
      await runUnit(ctx, { program, resolve, unit, root, done, forwarded });
    }
  } catch (error) {
    throw new RunFailure(error, done);
  } finally {
    if (forwarded) await db.token.update({ where: { id: forwarded.id }, data: { revokedAt: new Date() } }).catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
  const rows = units.length > 1 ? ` over ${units.length} rows` : "";
  const message = job.mode === "debug"
    ? `Debug run${rows}: ${done.files.filter((f) => f.role === "snapshot").length} snapshot(s) stored, nothing written to Storage`
    : `${program.componentId} succeeded${rows}: ${done.output.length} table(s) and ${done.files.filter((f) => f.role === "output").length} file(s) written`;
  return { message, ...done };
}

async function runUnit(
  ctx: RunContext,
  options: {
    program: Program;
    resolve?: ProgramResolver;
    unit: { rowId?: string; configuration: Json };
    root: string;
    done: Required<Pick<RunResult, "processes" | "files" | "input" | "output">>;
    forwarded: { id: number; secret: string } | null;
  },
) {
  const { db, job, signal, storage } = ctx;
  const { program, unit, done } = options;
  const resolve = options.resolve ?? (await import("./process-component")).resolveProcessProgram;
  const suffix = unit.rowId ? `-row-${unit.rowId.replace(/[^A-Za-z0-9_-]/g, "_")}` : "";
  const dataDir = path.join(options.root, `data${suffix}`);
  const { value: configuration, secrets } = (() => {
    try {
      return decryptSecrets(unit.configuration, job.projectId);
    } catch (error) {
      throw new UserError(`Configuration: ${error instanceof Error ? error.message : String(error)}`);
    }
  })();
  const redact = redactor(secrets);
  const storageConfig = isObject(configuration.storage) ? configuration.storage : {};
  const before = processors(configuration, "before");
  const after = processors(configuration, "after");
  const limits = runLimits(program.settings, configuration);
  const tags = ["debug", `job-${job.id}`, `component-${job.component}`, ...(job.config ? [`config-${job.config}`] : []), ...(unit.rowId ? [`row-${unit.rowId}`] : [])];

  const storedState = await loadState(db, job, unit.rowId);
  const prepared = await prepareDataFolder({
    dir: dataDir,
    configuration,
    imageParameters: isObject(configuration.image_parameters) ? configuration.image_parameters : {},
    authorization: isObject(configuration.authorization) ? configuration.authorization : null,
    action: typeof configuration.action === "string" ? configuration.action : "run",
    state: storedState,
    storage,
    signal,
  });
  done.input.push(...prepared.tables);
  // The component's config.json as the data folder step wrote it; processors get their own for their turn.
  const componentConfig = JSON.parse(await fs.readFile(path.join(dataDir, "config.json"), "utf8")) as Json;
  // Said with the first program's start: one event less per run.
  let preparedNote: string | undefined = `data folder${unit.rowId ? ` of row ${unit.rowId}` : ""} with ${prepared.tables.length} table(s) and ${prepared.fileIds.length} file(s) in`;

  const steps = [
    ...before.map((p) => ({ role: "processor" as const, spec: p })),
    { role: "component" as const, spec: null },
    ...after.map((p) => ({ role: "processor" as const, spec: p })),
  ];
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) throw signal.reason;
    const stepProgram = step.spec ? await resolve({ db, projectId: job.projectId, componentId: step.spec.componentId, tag: step.spec.tag }) : program;
    const stepConfig: Json = step.spec ? { storage: {}, parameters: step.spec.parameters, image_parameters: {}, action: "run" } : componentConfig;
    // Each step reads what the step before it wrote (a before-processor's output is the component's
    // input; the component's output is the first after-processor's input); the last one's out/ is mapped.
    if (index > 0) await shiftOutputs(dataDir);
    await fs.writeFile(path.join(dataDir, "config.json"), JSON.stringify(stepConfig, null, 2));
    if (job.mode === "debug") {
      const file = await storeSnapshot({ db, job, dir: dataDir, stage: `stage_${index}${suffix}`, config: stepConfig, tags });
      done.files.push({ id: file.id.toString(), name: file.name, role: "snapshot" });
    }
    const stepLimits = step.spec ? runLimits(stepProgram.settings, {}) : limits;
    await runStep(ctx, { program: stepProgram, role: step.role, rowId: unit.rowId, dataDir, root: options.root, index, limits: stepLimits, redact, done, forwarded: options.forwarded, note: preparedNote });
    preparedNote = undefined;
  }
  await fs.writeFile(path.join(dataDir, "config.json"), JSON.stringify(componentConfig, null, 2));

  if (job.mode === "debug") {
    const file = await storeSnapshot({ db, job, dir: dataDir, stage: `stage_output${suffix}`, config: componentConfig, tags });
    done.files.push({ id: file.id.toString(), name: file.name, role: "snapshot" });
    await ctx.log("Debug mode: the data folder is kept as snapshots; nothing is written to Storage");
    return;
  }
  const state = await readOutputState(dataDir);
  const plan = await planOutputMapping({
    dir: dataDir,
    storage: storageConfig,
    defaultBucket: program.settings.defaultBucket ? defaultBucketOf(job.component, job.config) : null,
    stagingDir: options.root,
    signal,
  });
  const mapped = await applyOutputMapping({ plan, storage });
  done.output.push(...mapped.tables);
  const written = await db.file.findMany({ where: { id: { in: mapped.fileIds.map((id) => BigInt(id)) } }, select: { id: true, name: true }, orderBy: { id: "asc" } });
  done.files.push(...written.map((f) => ({ id: f.id.toString(), name: f.name, role: "output" as const })));
  if (JSON.stringify(state) !== JSON.stringify(storedState)) await storeState(db, job, unit.rowId, state);
  await ctx.log(`Output mapping: ${mapped.tables.length} table(s) and ${mapped.fileIds.length} file(s) written to Storage`);
}

async function runStep(
  ctx: RunContext,
  options: {
    program: Program;
    role: "component" | "processor";
    rowId?: string;
    dataDir: string;
    root: string;
    index: number;
    limits: ReturnType<typeof runLimits>;
    redact: (text: string) => string;
    done: Required<Pick<RunResult, "processes" | "files" | "input" | "output">>;
    forwarded: { id: number; secret: string } | null;
    note?: string;
  },
) {
  const { db, job, signal } = ctx;
  const { program, limits } = options;
  const label = options.role === "processor" ? `Processor ${program.componentId}` : `Component ${program.componentId}`;
  // Who and where, only for a component that gets a token (Keboola gives these with KBC_TOKEN).
  const forwarded = options.forwarded && options.role === "component" ? options.forwarded : null;
  const [token, project] = forwarded
    ? await Promise.all([
        db.token.findUnique({ where: { id: job.tokenId }, select: { description: true } }),
        db.project.findUnique({ where: { id: job.projectId }, select: { name: true } }),
      ])
    : [null, null];
  const kbcEnv: Record<string, string> = {
    KBC_RUNID: job.runId,
    KBC_PROJECTID: String(job.projectId),
    KBC_STACKID: "jobdeck",
    KBC_CONFIGID: job.config ?? "",
    KBC_CONFIGROWID: options.rowId ?? "",
    KBC_COMPONENTID: program.componentId,
    KBC_BRANCHID: job.branchId,
    KBC_PROJECT_FEATURE_GATES: "",
    KBC_STAGING_FILE_PROVIDER: "local",
    ...(forwarded && {
      KBC_TOKEN: forwarded.secret,
      KBC_TOKENID: String(forwarded.id),
      KBC_TOKENDESC: token?.description ?? "",
      KBC_URL: `${env.publicUrl}/api`,
      KBC_PROJECTNAME: project?.name ?? "",
    }),
  };
  await ctx.log(
    `Running ${label.toLowerCase()}${program.version ? ` ${program.version}` : ""} (${program.command.join(" ")}): time limit ${limits.timeoutSeconds} s, memory ${limits.memoryMb} MiB, data folder ${limits.dataFolderMb} MiB, network ${limits.network ? "on" : "off"}${options.note ? `; ${options.note}` : ""}`,
  );
  const outputPath = path.join(options.root, `output-${options.index}${options.rowId ? `-${options.rowId.replace(/[^A-Za-z0-9_-]/g, "_")}` : ""}.log`);
  const events = outputEvents({ db, job });
  const outcome = await runProcess({
    command: program.command,
    codeDir: program.codeDir,
    dataDir: options.dataDir,
    env: kbcEnv,
    limits,
    signal,
    onLines: events.onLines,
    outputPath,
    redact: options.redact,
  });
  // The complete output, whatever the caps let into the event log, as a downloadable File.
  // A program that printed nothing leaves no output File.
  const log = outcome.bytes === 0 ? null : await storeFile({
    db,
    projectId: job.projectId,
    tokenId: job.tokenId,
    name: `job-${job.id}-${program.componentId}${options.rowId ? `-row-${options.rowId}` : ""}-output.log`,
    source: createReadStream(outputPath),
    tags: ["job-output", `job-${job.id}`, `component-${program.componentId}`],
    runId: job.runId,
    contentType: "text/plain; charset=utf-8",
  }).catch(async (error: unknown) => {
    console.error(`[worker] job ${job.id}: could not keep the output`, error);
    return null;
  });
  await events.finish({ outputFileId: log?.id.toString() });
  if (log) options.done.files.push({ id: log.id.toString(), name: log.name, role: "log" });
  const run: ProcessRun = {
    component: program.componentId,
    role: options.role,
    ...(options.rowId && { rowId: options.rowId }),
    ...(program.version && { version: program.version }),
    command: program.command,
    sandbox: outcome.sandbox,
    limits,
    end: outcome.end,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    durationMs: outcome.durationMs,
    peakRssBytes: outcome.peakRssBytes,
    outputLines: outcome.lines,
    ...(log && { outputFileId: log.id.toString() }),
  };
  options.done.processes.push(run);
  if (outcome.end === "terminated") throw signal.aborted ? signal.reason : new Error("terminated");
  const limitHit = describeEnd(label, outcome, { limits });
  if (limitHit) throw new UserError(limitHit);
  if (outcome.end === "exited" && outcome.exitCode === 0) {
    await ctx.log(`${label} finished in ${(outcome.durationMs / 1000).toFixed(1)} s (peak memory ${Math.round(outcome.peakRssBytes / 1048576)} MiB, ${outcome.lines} lines of output)`);
    return;
  }
  if (outcome.end === "exited" && outcome.exitCode === 1) throw new UserError(userMessage(label, outcome));
  const how = outcome.end === "signaled" ? `was killed by ${outcome.signal}` : `ended with exit code ${outcome.exitCode}`;
  throw new ApplicationError(
    `${label} failed with an application error. Reference: job ${job.id}${log ? `, output in file ${log.id}` : ""}.`,
    `${label} ${how}; last output:\n${outcome.tail.map((l) => `[${l.stream}] ${l.text}`).join("\n")}`,
  );
}
