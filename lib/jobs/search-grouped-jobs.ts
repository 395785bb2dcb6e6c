import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { jobFiltersSql } from "@/lib/jobs/search-jobs";
import { jobViewsQuery, toJobViews, type JobViewRow } from "@/lib/jobs/views";
import type { JobGroupJson, SearchGroupedJobsInput } from "@/lib/schemas/grouped-jobs";

/**
 * GET /search/grouped-jobs: the latest `jobsPerGroup` jobs of each component (+ configuration),
 * groups ordered by their latest job, newest first. Jobs without a configuration are left out
 * when grouping by configId.
 *
 * The groups come from a skip scan over the ("projectId", component, config, id) index (one
 * index probe per distinct group, however many jobs each has), and each group's jobs from the
 * same index in id order: the cost follows the number of configurations, not of jobs.
 */
export function searchGroupedJobsQuery(projectId: number, input: SearchGroupedJobsInput): Prisma.Sql {
  const byConfig = input.groupBy.includes("configId");
  const { groupBy: _groupBy, jobsPerGroup, limit, offset, ...filters } = input;
  void _groupBy;
  const all = jobFiltersSql(projectId, filters);
  // The skip scan may only use what the index holds: component and config filters.
  const keys = jobFiltersSql(projectId, { componentId: filters.componentId, configId: filters.configId });
  const hasConfig = byConfig ? Prisma.sql`AND j.config IS NOT NULL` : Prisma.empty;
  const cols = byConfig ? Prisma.sql`j.component, j.config` : Prisma.sql`j.component`;
  const after = byConfig ? Prisma.sql`(j.component, j.config) > (k.component, k.config)` : Prisma.sql`j.component > k.component`;
  const sameGroup = (alias: string) =>
    byConfig
      ? Prisma.sql`j.component = ${Prisma.raw(alias)}.component AND j.config = ${Prisma.raw(alias)}.config`
      : Prisma.sql`j.component = ${Prisma.raw(alias)}.component`;
  const keyCols = byConfig ? Prisma.sql`n.component, n.config` : Prisma.sql`n.component`;
  const page = Prisma.sql`
    WITH RECURSIVE keys AS (
      (SELECT ${cols} FROM "Job" j WHERE ${keys} ${hasConfig} ORDER BY ${cols} LIMIT 1)
      UNION ALL
      SELECT ${keyCols} FROM keys k CROSS JOIN LATERAL (
        SELECT ${cols} FROM "Job" j WHERE ${keys} ${hasConfig} AND ${after} ORDER BY ${cols} LIMIT 1
      ) n
    ),
    groups AS MATERIALIZED (
      SELECT k.*, latest.id AS latest FROM keys k
      CROSS JOIN LATERAL (SELECT j.id FROM "Job" j WHERE ${all} AND ${sameGroup("k")} ORDER BY j.id DESC LIMIT 1) latest
      ORDER BY latest.id DESC LIMIT ${limit} OFFSET ${offset}
    )
    SELECT x.id FROM groups g
    CROSS JOIN LATERAL (SELECT j.id FROM "Job" j WHERE ${all} AND ${sameGroup("g")} ORDER BY j.id DESC LIMIT ${jobsPerGroup}) x`;
  return jobViewsQuery({ projectId, page, sort: { column: "id", desc: true, nullsLast: false } });
}

export async function searchGroupedJobs(options: { db: Db; projectId: number; input: SearchGroupedJobsInput; origin: string }): Promise<JobGroupJson[]> {
  const { input } = options;
  const rows = await options.db.$queryRaw<JobViewRow[]>(searchGroupedJobsQuery(options.projectId, input));
  const byConfig = input.groupBy.includes("configId");
  // Rows come newest first, so groups appear in the order of their latest job.
  const groups = new Map<string, JobGroupJson>();
  for (const job of toJobViews(rows, options.origin)) {
    const key = byConfig ? JSON.stringify([job.component, job.config]) : job.component;
    let group = groups.get(key);
    if (!group) {
      group = { group: { componentId: job.component, ...(byConfig && { configId: job.config ?? "" }) }, jobs: [] };
      groups.set(key, group);
    }
    group.jobs.push(job);
  }
  return [...groups.values()];
}
