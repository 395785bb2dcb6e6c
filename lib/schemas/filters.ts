// The jobs list's filters as they live in the URL (/jobs?status=error&component=keboola.ex-http),
// parsed by the same schema in page.tsx and in the browser. Unknown values are dropped, not errors:
// a stale bookmark should still open the list.
import { z } from "zod";
import { JOB_STATUSES, type JobStatus } from "@/lib/jobs/state";

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

const list = <T extends z.ZodType>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => {
      const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
      const valid = values.flatMap((v) => {
        const parsed = item.safeParse(v);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      });
      return [...new Set(valid)];
    });

export const jobsFiltersSchema = z.object({
  status: list(z.enum(JOB_STATUSES)),
  component: list(z.string().trim().min(1).max(200)),
  // Root jobs only unless the URL asks for every job (`scope=all`).
  scope: z
    .string()
    .optional()
    .transform((v) => (v === "all" ? "all" : "root")),
});
export type JobsFilters = z.output<typeof jobsFiltersSchema>;

export const DEFAULT_JOBS_FILTERS: JobsFilters = { status: [], component: [], scope: "root" };

export function parseJobsFilters(raw: RawParams): JobsFilters {
  const record: Record<string, string | string[]> = {};
  if (raw instanceof URLSearchParams) {
    for (const key of new Set(raw.keys())) record[key] = raw.getAll(key);
  } else {
    for (const [key, value] of Object.entries(raw)) if (value !== undefined) record[key] = value;
  }
  const parsed = jobsFiltersSchema.safeParse(record);
  return parsed.success ? parsed.data : DEFAULT_JOBS_FILTERS;
}

/** The URL query (`?status=…`) for filters; defaults are left out so the plain list is plain /jobs. */
export function jobsFiltersToSearch(filters: JobsFilters): string {
  const search = new URLSearchParams();
  for (const status of filters.status) search.append("status", status);
  for (const component of filters.component) search.append("component", component);
  if (filters.scope === "all") search.set("scope", "all");
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The search API's parameters for filters (lib/schemas/jobs.ts searchJobsSchema). */
export function jobsFiltersToApi(filters: JobsFilters): { status?: JobStatus[]; componentId?: string[]; rootOnly?: "true" } {
  return {
    ...(filters.status.length > 0 && { status: filters.status }),
    ...(filters.component.length > 0 && { componentId: filters.component }),
    ...(filters.scope === "root" && { rootOnly: "true" as const }),
  };
}

export function hasActiveFilters(filters: JobsFilters): boolean {
  return filters.status.length > 0 || filters.component.length > 0 || filters.scope === "all";
}
