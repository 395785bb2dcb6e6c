import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { JobsPage } from "@/components/jobs-list";
import { parseJobsFilters } from "@/lib/schemas/filters";
import { prefetchJobsList } from "@/lib/queries/prefetch";

export const metadata: Metadata = { title: "Jobs" };

const TABLE_ID = "jobs-table";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = parseJobsFilters(await searchParams);
  return (
    <HydrationBoundary state={await prefetchJobsList(filters)}>
      {/* React puts it in <head>. Until the table is parsed the browser renders no frame: otherwise a
          first frame of the header and filters alone (style and layout ≈ 200 ms of a cold renderer on
          a slow machine) came in between and held the rows back. */}
      <link rel="expect" href={`#${TABLE_ID}`} blocking="render" />
      <JobsPage filters={filters} tableId={TABLE_ID} />
    </HydrationBoundary>
  );
}
