import "server-only";
import type { Db } from "@/lib/db";
import { JOB_STATUSES, type JobStatus, isJobStatus } from "@/lib/jobs/state";
import { jobSearchWhere } from "@/lib/jobs/search-jobs";
import { countByGroup } from "@/lib/jobs/status-groups";
import type { CountJobsInput, JobCountsJson } from "@/lib/schemas/job-counts";

/** GET /search/jobs/counts: one grouped query over the jobs the search filters select. */
export async function countJobs(options: { db: Db; projectId: number; input: CountJobsInput }): Promise<JobCountsJson> {
  // Paging and sorting do not change which jobs match; the search's defaults stand in for them.
  const where = jobSearchWhere(options.projectId, { ...options.input, sortBy: "id", sortOrder: "desc", limit: 1, offset: 0 });
  const rows = await options.db.job.groupBy({ by: ["status"], where, _count: { _all: true } });
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const row of rows) if (isJobStatus(row.status)) byStatus[row.status] = row._count._all;
  const groups = countByGroup(byStatus);
  return { total: groups.all, byStatus, groups };
}
