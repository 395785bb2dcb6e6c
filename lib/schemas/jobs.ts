// Request and response schemas of the Queue API, shared by route handlers, the dashboard and tests.
import { z } from "zod";
import { BACKEND_SIZES } from "@/lib/jobs/credits";
import { DESIRED_STATUSES, JOB_MODES, JOB_STATUSES } from "@/lib/jobs/state";
import { parseTimeFilter } from "@/lib/time";

export { JOB_MODES };
export const JOB_TYPES = ["standard", "container", "phaseContainer", "orchestrationContainer"] as const;
export const WAIT_REASONS = ["configLock", "projectLimit", "phase", "parallelism"] as const;
export const SORT_KEYS = ["id", "createdTime", "startTime", "endTime", "durationSeconds", "status", "componentId"] as const;
// Keboola's other documented sortBy values that are columns of a job (projectId: a token sees one project, so by id).
export const KEBOOLA_SORT_KEYS = ["runId", "projectId", "branchId", "configId"] as const;

const idString = z.string().regex(/^\d{1,18}$/, "must be a numeric id");
const shortText = (max: number) => z.string().trim().min(1).max(max);

export const parallelismSchema = z.union([z.literal("infinity"), z.string().regex(/^([1-9]\d{0,2})$/, "must be 1–999 or infinity")]);

export const createJobSchema = z
  .strictObject({
    component: shortText(200).regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "must be a component id such as keboola.ex-http"),
    config: shortText(100).regex(/^[a-zA-Z0-9._-]+$/, "must be a configuration id").optional(),
    configData: z.record(z.string(), z.unknown()).optional(),
    configRowIds: z.array(shortText(100)).max(1000).optional(),
    mode: z.enum(JOB_MODES).default("run"),
    // Keboola's clients send null for the main branch.
    branchId: z.union([z.null().transform(() => undefined), shortText(100).regex(/^[a-zA-Z0-9._-]+$/, "must be a branch id")]).optional(),
    tag: shortText(100).optional(),
    // Keboola's backend: `size` picks the credit rate; `type` names a workspace backend Jobdeck
    // does not have (its transformations run on PostgreSQL), so only the default is served.
    backend: z
      .strictObject({
        size: z.enum(BACKEND_SIZES).optional(),
        type: z.string().max(40).refine((t) => t === "" || ["postgresql", "postgres"].includes(t.toLowerCase()), "Jobdeck runs on PostgreSQL only; leave backend.type out").optional(),
        context: z.string().max(100).optional(),
      })
      .transform(({ size }) => ({ ...(size && { size }) }))
      .optional(),
    // Keboola's variables: Jobdeck has no variable configurations, so a job that needs them is refused.
    variableValuesId: z.unknown().optional(),
    variableValuesData: z.unknown().optional(),
    parallelism: z.union([parallelismSchema, z.number().int().min(1).max(999).transform(String)]).optional(),
    behavior: z.strictObject({ onError: z.enum(["stop", "warning"]).optional() }).optional(),
  })
  .refine((v) => v.config !== undefined || v.configData !== undefined, {
    message: "either config or configData is required",
    path: ["config"],
  })
  .superRefine((v, ctx) => {
    if (v.variableValuesId !== undefined && v.variableValuesId !== null && v.variableValuesId !== "") {
      ctx.addIssue({ code: "custom", path: ["variableValuesId"], message: "Jobdeck has no variables configurations; put the values in configData" });
    }
    const data = v.variableValuesData as { values?: unknown[] } | null | undefined;
    if (data !== undefined && data !== null && !(typeof data === "object" && Array.isArray(data.values) && data.values.length === 0)) {
      ctx.addIssue({ code: "custom", path: ["variableValuesData"], message: "Jobdeck does not substitute variables; put the values in configData" });
    }
  })
  // Checked above; nothing downstream reads them.
  .transform((v) => {
    const input = { ...v };
    delete input.variableValuesId;
    delete input.variableValuesData;
    return input as Omit<typeof v, "variableValuesId" | "variableValuesData">;
  });
export type CreateJobInput = z.output<typeof createJobSchema>;

const many = <T extends z.ZodType>(item: T) =>
  z.union([item.transform((v) => [v] as z.output<T>[]), z.array(item).max(500)]).optional();

/** A time filter: ISO 8601 or relative ("-8 hours", "today"); also used by the Storage schemas. */
export const timeFilter = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const date = parseTimeFilter(value);
    if (!date) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a time (ISO 8601, "-8 hours", "today")` });
      return z.NEVER;
    }
    return date;
  })
  .optional();

const seconds = z.coerce.number().int().min(0).max(1e9).optional();

// Keboola's Queue search spellings: `component` and `config` for componentId and configId.
const SEARCH_ALIASES: Record<string, string> = { component: "componentId", config: "configId" };
export function withSearchAliases(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = SEARCH_ALIASES[key] ?? key;
    const existing = out[name];
    out[name] = existing === undefined ? value : [...[existing].flat(), ...[value].flat()];
  }
  return out;
}

export const searchJobsSchema = z.strictObject({
  id: many(idString),
  runId: many(z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456")),
  parentRunId: many(z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456")),
  componentId: many(shortText(200)),
  configId: many(shortText(100)),
  status: many(z.enum(JOB_STATUSES)),
  // Ours: exclusions, e.g. "everything but success".
  excludeStatus: many(z.enum(JOB_STATUSES)),
  tokenDescription: many(shortText(200)),
  type: many(z.enum(JOB_TYPES)),
  mode: many(z.enum(JOB_MODES)),
  branchId: many(shortText(100)),
  createdTimeFrom: timeFilter,
  createdTimeTo: timeFilter,
  startTimeFrom: timeFilter,
  startTimeTo: timeFilter,
  endTimeFrom: timeFilter,
  endTimeTo: timeFilter,
  durationSecondsFrom: seconds,
  durationSecondsTo: seconds,
  // Ours: only jobs without a parent (the dashboard's default view).
  rootOnly: z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").optional(),
  sortBy: z
    .enum([...SORT_KEYS, ...KEBOOLA_SORT_KEYS, "tokenDescription"])
    .refine((k) => k !== "tokenDescription", "Jobdeck cannot sort by tokenDescription; sort by id, createdTime, status, componentId, configId, …")
    .transform((k) => k as Exclude<typeof k, "tokenDescription">)
    .default("id"),
  sortOrder: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  cursor: z.string().max(500).optional(),
  // Keboola's: a token sees its own project only, so another project's id matches nothing.
  projectId: many(idString),
});
export type SearchJobsInput = z.output<typeof searchJobsSchema>;
/** The search as the API takes it: Keboola's spellings too. */
export const searchJobsQuerySchema = z.preprocess(withSearchAliases, searchJobsSchema);

const tableSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  columns: z.array(z.object({ name: z.string() })),
  bytes: z.number().optional(),
});

export const processRunSchema = z.object({
  component: z.string(),
  role: z.enum(["component", "processor"]),
  rowId: z.string().optional(),
  version: z.string().optional(),
  command: z.array(z.string()),
  sandbox: z.enum(["bwrap", "none"]),
  limits: z.object({ timeoutSeconds: z.number(), memoryMb: z.number(), dataFolderMb: z.number(), network: z.boolean(), killGraceMs: z.number() }),
  end: z.enum(["exited", "signaled", "timeout", "memory", "dataFolder", "terminated", "spawnFailed"]),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number(),
  peakRssBytes: z.number(),
  outputLines: z.number(),
  outputFileId: z.string().optional(),
});
export type ProcessRun = z.infer<typeof processRunSchema>;

export const jobResultSchema = z.object({
  message: z.string().optional(),
  input: z.object({ tables: z.array(tableSchema) }).optional(),
  output: z.object({ tables: z.array(tableSchema) }).optional(),
  error: z.object({ type: z.enum(["user", "application"]), message: z.string() }).optional(),
  // Files of the run: debug snapshots of what it read and would have written ("input", "output"),
  // zips of the data folder at each stage ("snapshot"), and a process's complete output ("log").
  files: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(["input", "output", "snapshot", "log"]), tableId: z.string().optional() })).optional(),
  // Process components (worker/runtime): each program the job ran, in order (processors, the
  // component, per configuration row), with the version, the limits it ran under and how it ended.
  processes: z.array(processRunSchema).optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

export const jobSchema = z.object({
  id: z.string(),
  runId: z.string(),
  parentRunId: z.string().nullable(),
  project: z.object({ id: z.string(), name: z.string() }),
  token: z.object({ id: z.string(), description: z.string() }),
  status: z.enum(JOB_STATUSES),
  desiredStatus: z.enum(DESIRED_STATUSES),
  mode: z.enum(JOB_MODES),
  component: z.string(),
  config: z.string().nullable(),
  configData: z.record(z.string(), z.unknown()).nullable(),
  configRowIds: z.array(z.string()),
  tag: z.string().nullable(),
  branchId: z.string().nullable(),
  createdTime: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  result: jobResultSchema,
  usageData: z.record(z.string(), z.unknown()),
  metrics: z.object({
    storage: z.object({ inputTablesBytesSum: z.number(), outputTablesBytesSum: z.number() }),
    backend: z.object({ size: z.string().nullable() }),
  }),
  isFinished: z.boolean(),
  isSuccess: z.boolean(),
  url: z.string(),
  behavior: z.object({ onError: z.string().nullable() }),
  parallelism: z.string().nullable(),
  type: z.enum(JOB_TYPES),
  // Jobdeck's additions.
  configName: z.string().nullable(),
  credits: z.number(),
  waiting: z.object({ reason: z.enum(WAIT_REASONS), message: z.string() }).nullable(),
  childrenCount: z.number(),
  subtree: z.object({ jobs: z.number(), credits: z.number(), durationSeconds: z.number(), unfinished: z.number() }),
});
export type JobJson = z.infer<typeof jobSchema>;

/** POST /jobs/{id}/run-again: the job itself, or (a task of an orchestration) the orchestration from the task's phase. */
export const RUN_AGAIN_SCOPES = ["job", "orchestrationFromHere"] as const;
export type RunAgainScope = (typeof RUN_AGAIN_SCOPES)[number];
export const runAgainSchema = z.strictObject({
  scope: z.enum(RUN_AGAIN_SCOPES).default("job").describe("job: this job again; orchestrationFromHere: the task's orchestration again, from the task's phase on"),
});
