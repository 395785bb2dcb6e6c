// The jobs list's filters as they live in the URL (/jobs?status=error&component=keboola.ex-http),
// parsed by the same function in page.tsx and in the browser. Unknown values are dropped, not errors:
// a stale bookmark should still open the list. Plain checks rather than zod: this module is in the
// jobs list's first load, and zod would be most of it.
import { isKillable, JOB_STATUSES, type JobStatus } from "@/lib/jobs/state";
import type { SearchJobsInput } from "@/lib/schemas/jobs";
import { parseTimeFilter } from "@/lib/time";

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

/** Reads one value: what it means, or null when it is not valid. */
type Reader<T> = (value: string) => T | null;

/** Every valid value of a repeated parameter, each once, at most `max`. */
function list<T>(values: readonly string[], read: Reader<T>, max = 50): T[] {
  const valid = values.flatMap((v) => {
    const parsed = read(v);
    return parsed === null ? [] : [parsed];
  });
  return [...new Set(valid)].slice(0, max);
}

/** The last value of a single-valued parameter, or null when it is missing or not valid. */
function single<T>(values: readonly string[], read: Reader<T>): T | null {
  const v = values.at(-1);
  return v === undefined ? null : read(v);
}

const oneOf =
  <T extends string>(allowed: readonly T[]): Reader<T> =>
  (v) =>
    (allowed as readonly string[]).includes(v) ? (v as T) : null;
const text =
  (max: number): Reader<string> =>
  (v) => {
    const trimmed = v.trim();
    return trimmed.length >= 1 && trimmed.length <= max ? trimmed : null;
  };
const matching =
  (pattern: RegExp): Reader<string> =>
  (v) =>
    pattern.test(v) ? v : null;
/** As a number field reads it: `Number(v)`, so " 5 " is 5. */
const wholeNumber =
  (min: number, max: number): Reader<number> =>
  (v) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };

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

const runId = matching(/^\d{1,18}(\.\d{1,18})*$/);
const isoTime: Reader<string> = (v) => (v.length <= 64 && /^\d{4}-\d{2}-\d{2}/.test(v) && parseTimeFilter(v) !== null ? v : null);
const seconds = wholeNumber(0, 1e9);
const pageSize: Reader<PageSize> = (v) => {
  const n = Number(v);
  return (PAGE_SIZES as readonly number[]).includes(n) ? (n as PageSize) : null;
};

export type JobsFilters = {
  status: JobStatus[];
  /** Exclusions: "everything but success". */
  notStatus: JobStatus[];
  component: string[];
  config: string[];
  created: CreatedPreset | null;
  createdFrom: string | null;
  createdTo: string | null;
  minDuration: number | null;
  maxDuration: number | null;
  creator: string[];
  /** Lookups: a job by id, a run by its runId, the children of a run. */
  id: string[];
  runId: string[];
  parent: string[];
  /** Root jobs only unless the URL asks for every job (`scope=all`). */
  scope: "all" | "root";
  limit: PageSize;
};

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
  const values = (key: string): string[] => {
    if (raw instanceof URLSearchParams) return raw.getAll(key);
    const value = raw[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const created = single(values("created"), oneOf(Object.keys(CREATED_PRESETS) as CreatedPreset[]));
  return {
    status: list(values("status"), oneOf(JOB_STATUSES)),
    notStatus: list(values("notStatus"), oneOf(JOB_STATUSES)),
    component: list(values("component"), text(200)),
    config: list(values("config"), text(100)),
    created,
    // A preset and a custom range are alternatives; the preset wins, as it is what the chips set.
    createdFrom: created ? null : single(values("createdFrom"), isoTime),
    createdTo: created ? null : single(values("createdTo"), isoTime),
    minDuration: single(values("minDuration"), seconds),
    maxDuration: single(values("maxDuration"), seconds),
    creator: list(values("creator"), text(200)),
    id: list(values("id"), matching(/^\d{1,18}$/)),
    runId: list(values("runId"), runId),
    parent: list(values("parent"), runId),
    scope: single(values("scope"), oneOf(["all", "root"] as const)) ?? "root",
    limit: single(values("limit"), pageSize) ?? DEFAULT_PAGE_SIZE,
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

export type ApiParams = Partial<Record<keyof SearchJobsInput, string | readonly string[]>>;

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
