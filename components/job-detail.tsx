"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { type ReactNode, useState } from "react";
import { ComponentIcon, ComponentLabel } from "@/components/component-label";
import { EventLog } from "@/components/event-log";
import { formatBytes, formatCredits, formatDateTime, formatDuration, formatUtc, localTimeZone, plural, processingSeconds } from "@/components/format";
import { JobBreadcrumbs } from "@/components/job-breadcrumbs";
import { JobProcessRuns, JobRunFiles } from "@/components/job-process-runs";
import { configurationLabel, jobTypeLabel } from "@/components/job-labels";
import { JobStatusBadge } from "@/components/job-status-badge";
import { JobTablesList } from "@/components/job-tables";
import { JobTimeline } from "@/components/job-timeline";
import { JobRows, JobRowsSkeleton, JobsTable } from "@/components/jobs-table";
import { JsonBlock } from "@/components/json-block";
import { ScheduleJobLink } from "@/components/schedule-job-link";
import { TerminateJobButton } from "@/components/terminate-job-button";
import { Button, Card, ErrorState, Field, Skeleton, Spinner } from "@/components/ui";
import { useNow } from "@/components/use-now";
import { QueuedNote, WaitingPanel } from "@/components/waiting-panel";
import { RunAgain } from "@/components/run-again";
import { RunHistory, UsualDurationNote } from "@/components/run-history";
import { configurationHref } from "@/components/hrefs";
import { isKillable } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { childJobsQueryOptions, jobDetailQueryOptions } from "@/lib/queries/jobs";
import { sessionQueryOptions } from "@/lib/queries/session";
import { useKillJob } from "@/lib/queries/use-kill-job";

export function JobDetail({ id }: { id: string }) {
  const query = useQuery(jobDetailQueryOptions(id));

  if (query.data) return <JobDetailView job={query.data} refreshError={query.isRefetchError ? query.error : null} />;
  if (query.isError) {
    if (isApiRequestError(query.error, 404)) {
      return (
        <div className="space-y-4">
          <h1 className="text-2xl font-semibold text-zinc-900 dark:text-zinc-50">Job {id} was not found</h1>
          <p className="text-zinc-600 dark:text-zinc-400">It does not exist, or it belongs to another project.</p>
          <Link href="/jobs" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Back to all jobs
          </Link>
        </div>
      );
    }
    return <ErrorState title={`Could not load job ${id}`} error={query.error} onRetry={() => void query.refetch()} />;
  }
  return <JobDetailSkeleton />;
}

function JobDetailView({ job, refreshError }: { job: JobJson; refreshError: Error | null }) {
  const session = useQuery(sessionQueryOptions());
  const kill = useKillJob(job.id);
  const now = useNow(1_000);
  const config = configurationLabel(job);
  const canTerminate = isKillable(job.status) && session.data?.token.canManageJobs === true;
  const seconds = processingSeconds(job, now);

  return (
    <article aria-labelledby="job-title" className="space-y-6">
      <div className="space-y-3">
        <JobBreadcrumbs job={job} />
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="flex min-w-0 items-center gap-3">
            <ComponentIcon componentId={job.component} size="lg" />
            <div className="min-w-0">
              <div className="flex flex-wrap items-center gap-3">
                <h1 id="job-title" className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
                  Job <span className="font-mono">{job.id}</span>
                </h1>
                <span data-testid="job-status">
                  <JobStatusBadge status={job.status} size="lg" />
                </span>
              </div>
              <p className={`mt-0.5 truncate text-zinc-600 dark:text-zinc-400 ${config.inline ? "italic" : ""}`}>{config.text}</p>
              {job.parentRunId && <ParentLink parentRunId={job.parentRunId} />}
            </div>
          </div>
          <div className="flex flex-wrap items-start gap-2">
            {canTerminate && <TerminateJobButton job={job} pending={kill.isPending} onConfirm={() => kill.mutate()} />}
            {session.data?.token.canManageJobs === true && job.isFinished && <RunAgain job={job} />}
          </div>
        </div>
        {kill.isError && (
          <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
            Could not terminate job {job.id}: {kill.error.message}
          </p>
        )}
        {refreshError && (
          <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
            Could not refresh this job ({refreshError.message}); showing what was loaded before.
          </p>
        )}
      </div>

      {job.waiting && <WaitingPanel waiting={job.waiting} />}
      {job.status === "created" && <QueuedNote />}
      {job.status === "terminating" && (
        <p role="status" className="rounded-xl border border-orange-200 bg-orange-50 p-4 text-sm text-orange-900 dark:border-orange-900 dark:bg-orange-950/40 dark:text-orange-200">
          <span className="font-semibold">Terminating.</span> The job was asked to stop; it and its child jobs end within seconds.
        </p>
      )}

      <Card className="p-5">
        <h2 className="sr-only">Summary</h2>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-5 lg:grid-cols-4">
          <Field label="Configuration" className="max-sm:col-span-2">
            {job.config && job.type !== "phaseContainer" ? (
              <Link href={configurationHref(job.component, job.config)} className="block font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                {config.text}
              </Link>
            ) : (
              <span className={`block font-medium ${config.inline ? "italic" : ""}`}>{config.text}</span>
            )}
            <span className="mt-1 block">
              <ComponentLabel componentId={job.component} showId />
            </span>
          </Field>
          <Field label="Created by">
            {job.token.description}
            <ScheduleJobLink tokenId={job.token.id} />
          </Field>
          <Field label="Duration">
            <span className="tabular-nums">{formatDuration(seconds)}</span>
            {job.status === "processing" && <span className="text-zinc-500 dark:text-zinc-400"> so far</span>}
            <UsualDurationNote job={job} />
            {job.childrenCount > 0 && (
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                {formatDuration(job.subtree.durationSeconds)} of processing in all {plural(job.subtree.jobs, "job")}
              </span>
            )}
          </Field>
          <Field label="Credits" className="max-sm:col-span-2">
            <span className="tabular-nums" data-testid="job-credits">
              {formatCredits(job.credits)}
            </span>{" "}
            <span className="text-zinc-500 dark:text-zinc-400">this job</span>
            {job.childrenCount > 0 && (
              <span className="block" data-testid="subtree-credits">
                <span className="tabular-nums">{formatCredits(job.subtree.credits)}</span>{" "}
                <span className="text-zinc-500 dark:text-zinc-400">with its {plural(job.subtree.jobs - 1, "descendant")}</span>
              </span>
            )}
          </Field>
          <Field label="Created">
            <Timestamp iso={job.createdTime} />
          </Field>
          <Field label="Started">
            <Timestamp iso={job.startTime} />
          </Field>
          <Field label="Ended">
            <Timestamp iso={job.endTime} />
          </Field>
          <Field label="Run">
            <span className="block">
              {jobTypeLabel(job.type)} · mode <span className="font-mono">{job.mode}</span>
            </span>
            <span className="block text-xs text-zinc-500 dark:text-zinc-400">
              {[
                job.metrics.backend.size && `backend ${job.metrics.backend.size}`,
                job.parallelism && `parallelism ${job.parallelism}`,
                job.tag && `tag ${job.tag}`,
                job.branchId && job.branchId !== "default" && `branch ${job.branchId}`,
              ]
                .filter(Boolean)
                .join(" · ") || null}
            </span>
          </Field>
        </dl>
        <p className="mt-4 text-xs text-zinc-500 dark:text-zinc-400">Times are in your time zone ({localTimeZone()}); hover one for UTC.</p>
      </Card>

      {job.config && job.type !== "phaseContainer" && <RunHistory componentId={job.component} configId={job.config} currentJobId={job.id} />}
      <JobResult job={job} />
      <JobProcessRuns job={job} />

      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-6">
          {job.childrenCount > 0 && <ChildJobs job={job} />}
          <EventLog job={job} />
        </div>
        <div className="min-w-0 space-y-6">
          <SideCard title="Exported from Storage" hint={`Tables the job read · ${formatBytes(job.metrics.storage.inputTablesBytesSum)}`}>
            <JobTablesList tables={job.result.input?.tables ?? []} emptyText="No tables." />
          </SideCard>
          <SideCard title="Imported into Storage" hint={`Tables the job wrote · ${formatBytes(job.metrics.storage.outputTablesBytesSum)}`}>
            <JobTablesList tables={job.result.output?.tables ?? []} emptyText="No tables." />
          </SideCard>
          <JobRunFiles job={job} />
          <Parameters job={job} />
        </div>
      </div>
    </article>
  );
}

function Timestamp({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)} className="tabular-nums">
      {formatDateTime(iso)}
    </time>
  );
}

function SideCard({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  const headingId = `side-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <Card className="p-4" aria-labelledby={headingId}>
      <h2 id={headingId} className="font-semibold text-zinc-900 dark:text-zinc-50">
        {title}
      </h2>
      {hint && <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
      {children}
    </Card>
  );
}

function JobResult({ job }: { job: JobJson }) {
  const { message, error } = job.result;
  if (!message && !error) return null;
  if (error) {
    return (
      <section aria-labelledby="result-title" className="rounded-xl border border-red-200 bg-red-50 p-4 dark:border-red-900 dark:bg-red-950/40">
        <h2 id="result-title" className="font-semibold text-red-900 dark:text-red-200">
          {message && message !== error.message ? message : "Job failed"}
          <span className="ml-2 rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-800 dark:bg-red-900 dark:text-red-200">
            {error.type === "user" ? "User error" : "Application error"}
          </span>
        </h2>
        <p className="mt-2 whitespace-pre-wrap break-words font-mono text-sm text-red-900 dark:text-red-200" data-testid="job-error">
          {error.message}
        </p>
        <p className="mt-2 text-xs text-red-800/80 dark:text-red-300/80">
          {error.type === "user"
            ? "The configuration or its data caused this; fix it and run the job again."
            : "Something failed inside the platform; running the job again may help."}
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="result-title" className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id="result-title" className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
        Result
      </h2>
      <p className="mt-1 text-zinc-900 dark:text-zinc-100">{message}</p>
    </section>
  );
}

function Parameters({ job }: { job: JobJson }) {
  // Inline jobs carry their configuration; the others are fully described by what was asked for.
  const inline = job.configData !== null;
  const requestParams = {
    component: job.component,
    ...(job.config !== null && { config: job.config }),
    ...(job.configRowIds.length > 0 && { configRowIds: job.configRowIds }),
    mode: job.mode,
    ...(job.branchId !== null && { branchId: job.branchId }),
    ...(job.tag !== null && { tag: job.tag }),
    ...(job.metrics.backend.size !== null && { backend: { size: job.metrics.backend.size } }),
    ...(job.parallelism !== null && { parallelism: job.parallelism }),
    ...(job.behavior.onError !== null && { behavior: { onError: job.behavior.onError } }),
  };
  return (
    <SideCard title="Parameters" hint={inline ? "Inline configuration (configData)" : "What the job was asked to run"}>
      <JsonBlock value={inline ? job.configData : requestParams} label={`Parameters of job ${job.id}`} />
    </SideCard>
  );
}

/** "Part of job 123": the way back up for a child job, besides the breadcrumbs. */
function ParentLink({ parentRunId }: { parentRunId: string }) {
  const parentId = parentRunId.split(".").at(-1)!;
  const parent = useQuery({ ...jobDetailQueryOptions(parentId), refetchInterval: false, staleTime: 60_000 });
  return (
    <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
      Child of{" "}
      <Link href={`/jobs/${parentId}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {parent.data ? configurationLabel(parent.data).text : "job"} <span className="font-mono">#{parentId}</span>
      </Link>
    </p>
  );
}

const viewButtonClass =
  "rounded px-2.5 py-1 text-xs font-medium text-zinc-600 aria-pressed:bg-white aria-pressed:text-zinc-900 aria-pressed:shadow-sm dark:text-zinc-300 dark:aria-pressed:bg-zinc-700 dark:aria-pressed:text-zinc-50";

function ChildJobs({ job }: { job: JobJson }) {
  const children = useInfiniteQuery(childJobsQueryOptions(job.runId));
  const [view, setView] = useState<"tree" | "timeline">("tree");
  return (
    <section aria-labelledby="children-title" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-baseline gap-3">
          <h2 id="children-title" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
            Child jobs <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">({job.childrenCount})</span>
          </h2>
          {job.subtree.unfinished > 0 && (
            <span className="text-sm text-zinc-500 dark:text-zinc-400">{plural(job.subtree.unfinished, "job")} in this tree unfinished</span>
          )}
        </div>
        <div role="group" aria-label="Show child jobs as" className="inline-flex rounded-md bg-zinc-100 p-0.5 dark:bg-zinc-800">
          <button type="button" aria-pressed={view === "tree"} onClick={() => setView("tree")} className={viewButtonClass}>
            Tree
          </button>
          <button type="button" aria-pressed={view === "timeline"} onClick={() => setView("timeline")} className={viewButtonClass}>
            Timeline
          </button>
        </div>
      </div>
      <Card className="overflow-hidden">
        {children.isPending ? (
          <JobsTable caption={`Child jobs of job ${job.id} (loading)`} busy>
            <JobRowsSkeleton rows={Math.min(job.childrenCount, 5)} />
          </JobsTable>
        ) : children.isError ? (
          <div className="p-4">
            <ErrorState title="Could not load the child jobs" error={children.error} onRetry={() => void children.refetch()} />
          </div>
        ) : view === "timeline" ? (
          <JobTimeline job={job} childJobs={children.data.pages.flatMap((page) => page.jobs)} />
        ) : (
          <JobsTable caption={`Child jobs of job ${job.id}, in the order they were created`}>
            <JobRows jobs={children.data.pages.flatMap((page) => page.jobs)} />
          </JobsTable>
        )}
      </Card>
      {children.hasNextPage && (
        <div className="flex justify-center">
          <Button onClick={() => void children.fetchNextPage()} disabled={children.isFetchingNextPage}>
            {children.isFetchingNextPage && <Spinner />}
            Load more child jobs
          </Button>
        </div>
      )}
    </section>
  );
}

function JobDetailSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true">
      <span role="status" className="sr-only">
        Loading job
      </span>
      <Skeleton className="h-4 w-48" />
      <div className="flex items-center gap-3">
        <Skeleton className="size-10" />
        <Skeleton className="h-8 w-64" />
      </div>
      <Skeleton className="h-40 w-full rounded-xl" />
      <Skeleton className="h-64 w-full rounded-xl" />
    </div>
  );
}
