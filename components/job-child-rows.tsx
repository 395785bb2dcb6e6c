"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { ChildRowsLoading, cellClass, childIndent, JobRows, rowClass, useColumnCount } from "@/components/jobs-table";
import { Button, Spinner } from "@/components/ui";
import { childJobsQueryOptions } from "@/lib/queries/jobs";

/** The children of an expanded job, a page at a time (loaded with their parent's expansion). */
export function ChildRows({ parentRunId, parentId, depth }: { parentRunId: string; parentId: string; depth: number }) {
  const children = useInfiniteQuery(childJobsQueryOptions(parentRunId));
  const columnCount = useColumnCount();
  const indent = childIndent(depth);

  if (children.isPending) return <ChildRowsLoading parentId={parentId} depth={depth} />;
  if (children.isError) {
    return (
      <tr role="row" className={rowClass}>
        <td role="cell" colSpan={columnCount} className={`${cellClass} max-md:col-span-2`} style={indent}>
          <span role="alert" className="flex flex-wrap items-center gap-3 text-red-700 dark:text-red-300">
            Could not load the child jobs: {children.error.message}
            <Button size="sm" onClick={() => void children.refetch()}>
              Try again
            </Button>
          </span>
        </td>
      </tr>
    );
  }
  return (
    <>
      <JobRows jobs={children.data.pages.flatMap((page) => page.jobs)} depth={depth} />
      {children.hasNextPage && (
        <tr role="row" className={rowClass}>
          <td role="cell" colSpan={columnCount} className={`${cellClass} max-md:col-span-2`} style={indent}>
            <Button size="sm" onClick={() => void children.fetchNextPage()} disabled={children.isFetchingNextPage}>
              {children.isFetchingNextPage && <Spinner />}
              Load more child jobs of job {parentId}
            </Button>
          </td>
        </tr>
      )}
    </>
  );
}
