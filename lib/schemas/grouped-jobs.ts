// GET /search/grouped-jobs (Keboola's Queue API): the latest jobs of each configuration.
import { z } from "zod";
import { jobSchema, searchJobsSchema, withSearchAliases } from "@/lib/schemas/jobs";

export const GROUP_BY = ["componentId", "configId"] as const;

const groupBy = z
  .union([z.enum(GROUP_BY).transform((v) => [v]), z.array(z.enum(GROUP_BY)).max(2)])
  .default(["componentId", "configId"])
  .refine((list) => list.includes("componentId"), { message: "must include componentId (a configuration id means nothing without its component)" });

export const searchGroupedJobsSchema = searchJobsSchema
  .omit({ sortBy: true, sortOrder: true, cursor: true, limit: true, offset: true })
  .extend({
    groupBy,
    jobsPerGroup: z.coerce.number().int().min(1).max(500).default(1),
    // Groups, newest latest job first.
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
export type SearchGroupedJobsInput = z.output<typeof searchGroupedJobsSchema>;
// The query as clients send it: Keboola's `component`/`config` spellings too, as on /search/jobs.
export const searchGroupedJobsQuerySchema = z.preprocess(withSearchAliases, searchGroupedJobsSchema);

export const jobGroupSchema = z.object({
  group: z.object({ componentId: z.string(), configId: z.string().optional() }),
  jobs: z.array(jobSchema),
});
export type JobGroupJson = z.infer<typeof jobGroupSchema>;
