"use client";

import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { type RefObject, useId } from "react";
import { plural } from "@/components/format";
import { bulkKillTarget } from "@/components/job-labels";
import { JobStatusBadge } from "@/components/job-status-badge";
import { Modal, ModalFooter } from "@/components/modal";
import { Button, ErrorState, Spinner } from "@/components/ui";
import { type JobsFilters, killableStatusesFor } from "@/lib/schemas/filters";
import { BULK_KILL_LIMIT, findMatchingJobs, jobKeys } from "@/lib/queries/jobs";
import { type BulkKillResult, type BulkKillTarget, useBulkKillJobs } from "@/lib/queries/use-bulk-kill-jobs";

export type BulkTerminateSource = { kind: "selected"; targets: readonly BulkKillTarget[] } | { kind: "matching"; filters: JobsFilters };

/**
 * Terminates several jobs: the selected rows, or everything the filters match that can still be
 * terminated. Names how many and which before anything happens, then reports on each job.
 */
export function BulkTerminateDialog({
  source,
  onClose,
  returnFocus,
}: {
  source: BulkTerminateSource | null;
  onClose: () => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const titleId = useId();
  const descriptionId = useId();
  const bulk = useBulkKillJobs();
  const matching = useQuery({
    queryKey: [...jobKeys.all, "killable", source?.kind === "matching" ? source.filters : null],
    queryFn: ({ signal }) => findMatchingJobs((source as { filters: JobsFilters }).filters, killableStatusesFor((source as { filters: JobsFilters }).filters), signal),
    enabled: source?.kind === "matching" && !bulk.isRunning && !bulk.isDone,
    staleTime: 0,
    gcTime: 0,
  });

  const targets: readonly BulkKillTarget[] =
    source?.kind === "selected" ? source.targets : (matching.data?.jobs.map(bulkKillTarget) ?? []);
  const started = bulk.isRunning || bulk.isDone;
  const doneCount = bulk.results.filter((r) => r.outcome === "done").length;

  function close() {
    bulk.reset();
    onClose();
  }

  const what = source?.kind === "matching" ? "unfinished jobs matching these filters" : "selected jobs";

  return (
    <Modal open={source !== null} onClose={close} labelledBy={titleId} describedBy={descriptionId} returnFocus={returnFocus} className="w-[min(36rem,calc(100vw-2rem))]">
      <div className="p-6">
        <h2 id={titleId} className="text-lg font-semibold">
          {started
            ? bulk.isRunning
              ? `Terminating ${plural(targets.length, "job")}…`
              : doneCount === targets.length
                ? `Terminated ${plural(targets.length, "job")}`
                : `Terminated ${doneCount} of ${plural(targets.length, "job")}`
            : source?.kind === "matching" && matching.isPending
              ? "Finding the jobs to terminate…"
              : targets.length === 0
                ? "Nothing to terminate"
                : `Terminate ${targets.length === 1 ? "1 job" : `${targets.length.toLocaleString("en")} ${what}`}?`}
        </h2>
        <div id={descriptionId} className="mt-3 space-y-2 text-sm text-zinc-600 dark:text-zinc-300">
          {!started && targets.length > 0 && (
            <p>
              Jobs that are processing stop within seconds and end as terminated; jobs that have not started are cancelled at once. Their child jobs are stopped
              too.
              {matching.data?.more && ` Only the oldest ${BULK_KILL_LIMIT.toLocaleString("en")} are terminated in one go.`}
            </p>
          )}
          {!started && source?.kind === "matching" && !matching.isPending && targets.length === 0 && !matching.isError && (
            <p>No job that matches these filters can still be terminated: they have all finished.</p>
          )}
          {started && <BulkProgress results={bulk.results} />}
        </div>
        {matching.isError && (
          <div className="mt-3">
            <ErrorState title="Could not find the matching jobs" error={matching.error} onRetry={() => void matching.refetch()} />
          </div>
        )}
        {source?.kind === "matching" && matching.isPending && (
          <p className="mt-3 text-sm">
            <Spinner label="Looking through the matching jobs" />
          </p>
        )}
        {(started ? bulk.results.length > 0 : targets.length > 0) && (
          <ul
            aria-label={started ? "Result per job" : "Jobs to terminate"}
            tabIndex={0}
            className="mt-4 max-h-64 divide-y divide-zinc-100 overflow-y-auto rounded-lg text-sm ring-1 ring-inset ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-700"
          >
            {(started ? bulk.results : targets.map((t) => ({ ...t, outcome: null }))).map((item) => (
              <li key={item.id} data-job-id={item.id} className="flex items-center justify-between gap-3 px-3 py-2">
                <span className="min-w-0 truncate">
                  <span className="font-mono text-zinc-500 dark:text-zinc-400">#{item.id}</span> {item.label}
                </span>
                {item.outcome !== null && <ResultBadge result={item as BulkKillResult} onNavigate={close} />}
              </li>
            ))}
          </ul>
        )}
      </div>
      <ModalFooter>
        {started ? (
          <Button type="submit" autoFocus disabled={bulk.isRunning}>
            {bulk.isRunning && <Spinner />}
            Close
          </Button>
        ) : (
          <>
            <Button type="submit" autoFocus>
              {targets.length === 1 ? "Keep it running" : "Keep them running"}
            </Button>
            {targets.length > 0 && (
              <Button variant="danger" onClick={() => bulk.start(targets)}>
                Terminate {plural(targets.length, "job")}
              </Button>
            )}
          </>
        )}
      </ModalFooter>
    </Modal>
  );
}

function BulkProgress({ results }: { results: readonly BulkKillResult[] }) {
  const finished = results.filter((r) => r.outcome !== "pending").length;
  const count = (outcome: BulkKillResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  return (
    <div className="space-y-2">
      <progress value={finished} max={results.length} aria-label="Jobs handled" className="h-2 w-full accent-red-600" />
      <p role="status" data-testid="bulk-summary">
        {finished < results.length
          ? `${finished} of ${results.length} handled…`
          : [
              `${plural(count("done"), "job")} terminated or stopping`,
              count("skipped") > 0 && `${count("skipped")} could no longer be terminated`,
              count("failed") > 0 && `${count("failed")} failed`,
            ]
              .filter(Boolean)
              .join(", ") + "."}
      </p>
    </div>
  );
}

function ResultBadge({ result, onNavigate }: { result: BulkKillResult; onNavigate: () => void }) {
  switch (result.outcome) {
    case "pending":
      return <Spinner label="Waiting" />;
    case "done":
      return (
        <Link href={`/jobs/${result.id}`} prefetch={false} onClick={onNavigate} className="shrink-0 rounded-full" aria-label={`Job ${result.id}: ${result.status}`}>
          <JobStatusBadge status={result.status} />
        </Link>
      );
    case "skipped":
      return (
        <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400" title={result.message}>
          Skipped: {result.message.replace(/^Job \d+ /, "")}
        </span>
      );
    case "failed":
      return (
        <span className="shrink-0 text-xs font-medium text-red-700 dark:text-red-300" title={result.message}>
          Failed: {result.message}
        </span>
      );
  }
}
