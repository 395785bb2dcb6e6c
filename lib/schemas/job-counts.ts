// GET /search/jobs/counts: how many jobs match the search filters, per status and per list tab.
import { z } from "zod";
import { JOB_STATUSES } from "@/lib/jobs/state";
import { STATUS_GROUPS } from "@/lib/jobs/status-groups";
import { searchJobsSchema, withSearchAliases } from "@/lib/schemas/jobs";

/** The search filters without paging and sorting: the same parameters mean the same jobs. */
export const countJobsSchema = searchJobsSchema.omit({ sortBy: true, sortOrder: true, limit: true, offset: true, cursor: true });
export type CountJobsInput = z.output<typeof countJobsSchema>;
export const countJobsQuerySchema = z.preprocess(withSearchAliases, countJobsSchema);

const count = z.number().int().min(0);

export const jobCountsSchema = z.object({
  total: count,
  byStatus: z.object(Object.fromEntries(JOB_STATUSES.map((s) => [s, count])) as Record<(typeof JOB_STATUSES)[number], typeof count>),
  groups: z
    .object(Object.fromEntries(STATUS_GROUPS.map((g) => [g, count])) as Record<(typeof STATUS_GROUPS)[number], typeof count>)
    .describe("all; running = processing or terminating; waiting = created or waiting; failed = error"),
});
export type JobCountsJson = z.infer<typeof jobCountsSchema>;
