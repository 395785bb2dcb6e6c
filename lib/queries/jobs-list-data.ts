import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { countJobs } from "@/lib/jobs/count-jobs";
import { projectCountsVersionSql, projectJobsVersionSql } from "@/lib/jobs/job-version";
import { searchJobs } from "@/lib/jobs/search-jobs";
import { type ApiParams, type JobsFilters, jobsFiltersToApi, withoutStatusFilters } from "@/lib/schemas/filters";
import { type JobCountsJson, countJobsSchema } from "@/lib/schemas/job-counts";
import { searchJobsSchema } from "@/lib/schemas/jobs";
import type { JobsPage } from "@/lib/queries/jobs";
import { VersionedStore } from "@/lib/versioned-store";

// The Jobs page's first load reads the same page and counts again and again while nothing changes
// (a reload, a second tab, a quiet project). What it read is kept per project, origin and filters
// beside the version of the project's job lists and counts, and handed out again while the version
// is the same. The version (lib/jobs/job-version.ts, as the API's ETags use it) is computed in the
// query that reads the session, so on an unchanged project the page and the counts cost no
// statement of their own.

/**
 * The version the Jobs page's data rests on, as SQL for authenticateCaller's `extra`: its jobs
 * (new ones, statuses, wait reasons, updates, configuration names) and its counts.
 */
export const jobsListVersionSql = Prisma.sql`concat_ws('|', ${projectJobsVersionSql}, ${projectCountsVersionSql})`;

/** The Jobs page's first load: its first page of jobs and the tabs' counts (with the parameters they are counted over). */
export type JobsListData = { page: JobsPage; counts: JobCountsJson; countParams: ApiParams };

/**
 * The kept pages: at most 64 filter sets and 32 million characters of their JSON (jobs carry their
 * configData and results, so a page of 200 can be large).
 */
const kept = new VersionedStore<JobsListData>({ entries: 64, total: 32_000_000, largest: 4_000_000, sizeOf: (data) => JSON.stringify(data).length });

/**
 * Filters the data of which depends on the time of asking too (a "created in the last day" preset,
 * a relative date) are read fresh every time: a job leaves them without any version changing.
 */
function keepable(filters: JobsFilters): boolean {
  return filters.created === null && filters.createdFrom === null && filters.createdTo === null;
}

/**
 * The first page of `filters`' jobs and their counts, as `/api/search/jobs` and its counts answer
 * them. `version` is jobsListVersionSql's value as of now (null: unknown): while it is unchanged,
 * the data read for it is returned again instead of being read.
 */
export async function jobsListData(options: { db: Db; projectId: number; version: string | null; filters: JobsFilters; origin: string }): Promise<JobsListData> {
  const { db, projectId, version, filters, origin } = options;
  return kept.read(JSON.stringify([projectId, origin, filters]), keepable(filters) ? version : null, async () => {
    const search = searchJobsSchema.parse({ ...jobsFiltersToApi(filters), sortBy: "id", sortOrder: "desc", limit: String(filters.limit) });
    const countParams = jobsFiltersToApi(withoutStatusFilters(filters));
    const [page, counts] = await Promise.all([
      searchJobs({ db, projectId, input: search, origin }),
      countJobs({ db, projectId, input: countJobsSchema.parse(countParams) }),
    ]);
    return { page, counts, countParams };
  });
}
