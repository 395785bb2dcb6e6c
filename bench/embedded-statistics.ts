// The embedded database's planner statistics: the Jobs page's two statements (its first page and
// its tab counts) on a PGlite data folder with N jobs, before its tables were ever analyzed (as
// every embedded database was until lib/db-statistics.ts) and after one round of that upkeep.
//   npm run bench:embedded -- [--jobs 100000] [--samples 30]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDb, db, driverOf, openDb, useDb as pointDbAt } from "@/lib/db"; // renamed: not a React hook
import { analyzeStaleTables } from "@/lib/db-statistics";
import { Prisma } from "@/lib/generated/prisma/client";
import { countJobs } from "@/lib/jobs/count-jobs";
import { searchJobs, searchJobsQuery } from "@/lib/jobs/search-jobs";
import { DEFAULT_JOBS_FILTERS, jobsFiltersToApi, withoutStatusFilters } from "@/lib/schemas/filters";
import { countJobsSchema } from "@/lib/schemas/job-counts";
import { searchJobsSchema } from "@/lib/schemas/jobs";
import { migrationSql } from "@/test/db";
import { createTestProject } from "@/test/factories";
import { SEED_JOBS_SQL } from "./seed-jobs";
import { machine, options, percentile, table } from "./lib";

const opts = options({ jobs: { default: "100000" }, samples: { default: "30" } });
const jobs = opts.quick ? 10_000 : opts.jobs;
const samples = opts.quick ? 10 : opts.samples;

const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-bench-statistics-"));
const handle = openDb({ kind: "pglite", dir });
pointDbAt(handle);
try {
  const pglite = driverOf(db());
  if (pglite?.kind !== "pglite") throw new Error("expected a PGlite database");
  for (const sql of migrationSql()) await pglite.pglite.exec(sql);
  const { project, auth } = await createTestProject();
  await db().$executeRawUnsafe(SEED_JOBS_SQL, 1_000, project.id, auth.tokenId, jobs);
  await db().$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"Job"', 'id'), (SELECT max(id) FROM "Job"))`);

  // The default Jobs view: root jobs, newest first, 50 a page; its tabs count the same filters.
  const search = searchJobsSchema.parse({ ...jobsFiltersToApi(DEFAULT_JOBS_FILTERS), sortBy: "id", sortOrder: "desc", limit: "50" });
  const counts = countJobsSchema.parse(jobsFiltersToApi(withoutStatusFilters(DEFAULT_JOBS_FILTERS)));
  const p50 = async (run: () => Promise<unknown>) => {
    await run();
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    return percentile(times.sort((a, b) => a - b), 50);
  };
  const executionMs = async () => {
    const plan = await db().$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, TIMING OFF) ${searchJobsQuery(project.id, search)}`);
    return Number(/Execution Time: ([\d.]+)/.exec(plan.map((row) => row["QUERY PLAN"]).join("\n"))?.[1]);
  };
  const measure = async () => ({
    page: await p50(() => searchJobs({ db: db(), projectId: project.id, input: search, origin: "http://localhost" })),
    execution: await executionMs(),
    counts: await p50(() => countJobs({ db: db(), projectId: project.id, input: counts })),
  });

  const before = await measure();
  const started = performance.now();
  const analyzed = await analyzeStaleTables(db());
  const analyzeMs = performance.now() - started;
  const after = await measure();
  const again = await analyzeStaleTables(db());

  console.log(`Embedded planner statistics — ${machine(`PGlite in a data folder, ${jobs.toLocaleString("en")} jobs`)}`);
  const row = (what: string, b: number, a: number) => ({ "p50 ms": what, "never analyzed": b, analyzed: a, "before ÷ after": b / a });
  table(`The Jobs page's statements, ${samples} samples each`, [
    row("first page (searchJobs)", before.page, after.page),
    row("  its SQL's execution alone", before.execution, after.execution),
    row("tab counts (countJobs)", before.counts, after.counts),
  ]);
  console.log(`\nOne upkeep round analyzed ${analyzed.length} tables in ${Math.round(analyzeMs)} ms; the next round found ${again.length} due.`);
} finally {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
}
