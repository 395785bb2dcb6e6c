import "server-only";
import type { Db } from "@/lib/db";
import { JOB_STATUSES, type JobStatus, isJobStatus } from "@/lib/jobs/state";
import { jobFiltersSql } from "@/lib/jobs/search-jobs";
import { countByGroup } from "@/lib/jobs/status-groups";
import type { CountJobsInput, JobCountsJson } from "@/lib/schemas/job-counts";

/** GET /search/jobs/counts: one grouped query over the jobs the search filters select. */
export async function countJobs(options: { db: Db; projectId: number; input: CountJobsInput }): Promise<JobCountsJson> {
  const rows = await options.db.$queryRaw<{ status: string; jobs: number }[]>`
    SELECT j.status, count(*)::int AS jobs FROM "Job" j WHERE ${jobFiltersSql(options.projectId, options.input)} GROUP BY j.status`;
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const row of rows) if (isJobStatus(row.status)) byStatus[row.status] = row.jobs;
  const groups = countByGroup(byStatus);
  return { total: groups.all, byStatus, groups };
}
