import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { JobsPage } from "@/components/jobs-list";
import { parseJobsFilters } from "@/lib/schemas/filters";
import { prefetchJobsList } from "@/lib/queries/prefetch";

export const metadata: Metadata = { title: "Jobs" };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = parseJobsFilters(await searchParams);
  return (
    <HydrationBoundary state={await prefetchJobsList(filters)}>
      <JobsPage filters={filters} />
    </HydrationBoundary>
  );
}
