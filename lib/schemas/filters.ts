// The jobs list's filters as they live in the URL (/jobs?status=error&component=keboola.ex-http),
// parsed by the same schema in page.tsx and in the browser. Unknown values are dropped, not errors:
// a stale bookmark should still open the list.
import { z } from "zod";
import { isKillable, JOB_STATUSES, type JobStatus } from "@/lib/jobs/state";
import type { SearchJobsInput } from "@/lib/schemas/jobs";
import { parseTimeFilter } from "@/lib/time";

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

const list = <T extends z.ZodType>(item: T, max = 50) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => {
      const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
      const valid = values.flatMap((v) => {
        const parsed = item.safeParse(v);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      });
      return [...new Set(valid)].slice(0, max);
    });

/** The last value of a single-valued parameter, or null when it is missing or not valid. */
const single = <T extends z.ZodType>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => {
      const v = Array.isArray(value) ? value.at(-1) : value;
      if (v === undefined) return null;
      const parsed = item.safeParse(v);
      return parsed.success ? (parsed.data as z.output<T>) : null;
    });

/** Created-time presets; the API reads the relative times against its own clock. */
export const CREATED_PRESETS = {
  "1h": { label: "Last hour", since: "-1 hour" },
  "24h": { label: "Last 24 hours", since: "-24 hours" },
  "7d": { label: "Last 7 days", since: "-7 days" },
  "30d": { label: "Last 30 days", since: "-30 days" },
} as const;
export type CreatedPreset = keyof typeof CREATED_PRESETS;

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;

const jobStatus = z.enum(JOB_STATUSES);
const runId = z.string().regex(/^\d{1,18}(\.\d{1,18})*$/);
const isoTime = z.string().max(64).refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && parseTimeFilter(v) !== null);
const seconds = z.coerce.number().int().min(0).max(1e9);

export const jobsFiltersSchema = z.object({
  status: list(jobStatus),
  // Exclusions: "everything but success".
  notStatus: list(jobStatus),
  component: list(z.string().trim().min(1).max(200)),
  config: list(z.string().trim().min(1).max(100)),
  created: single(z.enum(Object.keys(CREATED_PRESETS) as [CreatedPreset, ...CreatedPreset[]])),
  createdFrom: single(isoTime),
  createdTo: single(isoTime),
  minDuration: single(seconds),
  maxDuration: single(seconds),
  creator: list(z.string().trim().min(1).max(200)),
  // Lookups: a job by id, a run by its runId, the children of a run.
  id: list(z.string().regex(/^\d{1,18}$/)),
  runId: list(runId),
  parent: list(runId),
  // Root jobs only unless the URL asks for every job (`scope=all`).
  scope: single(z.enum(["all", "root"])).transform((v) => v ?? "root"),
  limit: single(z.coerce.number().refine((n) => (PAGE_SIZES as readonly number[]).includes(n))),
});
export type JobsFilters = Omit<z.output<typeof jobsFiltersSchema>, "limit"> & { limit: PageSize };

export const DEFAULT_JOBS_FILTERS: JobsFilters = {
  status: [],
  notStatus: [],
  component: [],
  config: [],
  created: null,
  createdFrom: null,
  createdTo: null,
  minDuration: null,
  maxDuration: null,
  creator: [],
  id: [],
  runId: [],
  parent: [],
  scope: "root",
  limit: DEFAULT_PAGE_SIZE,
};

export function parseJobsFilters(raw: RawParams): JobsFilters {
  const record: Record<string, string | string[]> = {};
  if (raw instanceof URLSearchParams) {
    for (const key of new Set(raw.keys())) record[key] = raw.getAll(key);
  } else {
    for (const [key, value] of Object.entries(raw)) if (value !== undefined) record[key] = value;
  }
  const parsed = jobsFiltersSchema.safeParse(record);
  if (!parsed.success) return DEFAULT_JOBS_FILTERS;
  const filters = parsed.data;
  return {
    ...filters,
    // A preset and a custom range are alternatives; the preset wins, as it is what the chips set.
    ...(filters.created && { createdFrom: null, createdTo: null }),
    limit: (filters.limit as PageSize | null) ?? DEFAULT_PAGE_SIZE,
  };
}

/** The URL query (`?status=…`) for filters; defaults are left out so the plain list is plain /jobs. */
export function jobsFiltersToSearch(filters: JobsFilters): string {
  const search = new URLSearchParams();
  const many = (key: string, values: readonly string[]) => values.forEach((v) => search.append(key, v));
  const one = (key: string, value: string | number | null) => value !== null && search.set(key, String(value));
  many("status", filters.status);
  many("notStatus", filters.notStatus);
  many("component", filters.component);
  many("config", filters.config);
  one("created", filters.created);
  one("createdFrom", filters.createdFrom);
  one("createdTo", filters.createdTo);
  one("minDuration", filters.minDuration);
  one("maxDuration", filters.maxDuration);
  many("creator", filters.creator);
  many("id", filters.id);
  many("runId", filters.runId);
  many("parent", filters.parent);
  if (filters.scope === "all") search.set("scope", "all");
  if (filters.limit !== DEFAULT_PAGE_SIZE) search.set("limit", String(filters.limit));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A lookup by id or run looks at every job, not only the roots: the one asked for may be a child. */
export function looksUpJobs(filters: JobsFilters): boolean {
  return filters.id.length > 0 || filters.runId.length > 0 || filters.parent.length > 0;
}

type ApiParams = Partial<Record<keyof SearchJobsInput, string | readonly string[]>>;

/** The search API's parameters for filters (lib/schemas/jobs.ts searchJobsSchema), paging aside. */
export function jobsFiltersToApi(filters: JobsFilters): ApiParams {
  const params: ApiParams = {};
  const many = (key: keyof SearchJobsInput, values: readonly string[]) => {
    if (values.length > 0) params[key] = values;
  };
  many("status", filters.status);
  many("excludeStatus", filters.notStatus);
  many("componentId", filters.component);
  many("configId", filters.config);
  many("tokenDescription", filters.creator);
  many("id", filters.id);
  many("runId", filters.runId);
  many("parentRunId", filters.parent);
  if (filters.created) params.createdTimeFrom = CREATED_PRESETS[filters.created].since;
  if (filters.createdFrom) params.createdTimeFrom = filters.createdFrom;
  if (filters.createdTo) params.createdTimeTo = filters.createdTo;
  if (filters.minDuration !== null) params.durationSecondsFrom = String(filters.minDuration);
  if (filters.maxDuration !== null) params.durationSecondsTo = String(filters.maxDuration);
  if (filters.scope === "root" && !looksUpJobs(filters)) params.rootOnly = "true";
  return params;
}

/** The same filters with every status allowed: what the tabs' counts are counted over. */
export function withoutStatusFilters(filters: JobsFilters): JobsFilters {
  return { ...filters, status: [], notStatus: [] };
}

/**
 * The statuses of the jobs that match the filters and can still be terminated, or none: "terminate
 * everything matching" asks the API for exactly these (state.ts decides what is killable).
 */
export function killableStatusesFor(filters: JobsFilters): JobStatus[] {
  const allowed = filters.status.length > 0 ? filters.status : JOB_STATUSES;
  return allowed.filter((s) => isKillable(s) && !filters.notStatus.includes(s));
}

export function hasActiveFilters(filters: JobsFilters): boolean {
  return jobsFiltersToSearch({ ...filters, limit: DEFAULT_PAGE_SIZE }) !== "";
}
