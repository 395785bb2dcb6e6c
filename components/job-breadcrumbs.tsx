"use client";

import { useQueries } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { configurationLabel } from "@/components/job-labels";
import type { JobJson } from "@/lib/schemas/jobs";
import { jobDetailQueryOptions } from "@/lib/queries/jobs";

/** Jobs › root › … › this job, following the runId chain; each ancestor links to its detail. */
export function JobBreadcrumbs({ job }: { job: JobJson }) {
  const ancestorIds = job.runId.split(".").slice(0, -1);
  // Names only: ancestors' own pages poll them, the breadcrumbs need not.
  const ancestors = useQueries({
    queries: ancestorIds.map((id) => ({ ...jobDetailQueryOptions(id), refetchInterval: false as const, staleTime: 60_000 })),
  });

  return (
    <nav aria-label="Breadcrumbs" className="text-sm">
      <ol className="flex flex-wrap items-center gap-x-1.5 gap-y-1 text-zinc-500 dark:text-zinc-400">
        <li>
          <Link href="/jobs" className="hover:text-zinc-900 hover:underline dark:hover:text-zinc-100">
            Jobs
          </Link>
        </li>
        {ancestorIds.map((id, i) => {
          const ancestor = ancestors[i]?.data;
          return (
            <li key={id} className="flex min-w-0 items-center gap-1.5">
              <Separator />
              <Link href={`/jobs/${id}`} className="truncate hover:text-zinc-900 hover:underline dark:hover:text-zinc-100">
                <span className="font-mono">#{id}</span>
                {ancestor && <span className="max-sm:hidden"> {configurationLabel(ancestor).text}</span>}
              </Link>
            </li>
          );
        })}
        <li className="flex items-center gap-1.5">
          <Separator />
          <span aria-current="page" className="font-mono font-medium text-zinc-900 dark:text-zinc-100">
            #{job.id}
          </span>
        </li>
      </ol>
    </nav>
  );
}

function Separator() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3 text-zinc-400 dark:text-zinc-600" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="m6 3 5 5-5 5" />
    </svg>
  );
}
