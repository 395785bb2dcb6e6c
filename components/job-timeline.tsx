"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { formatDateTime, formatDuration, formatTime, formatUtc } from "@/components/format";
import { configurationLabel } from "@/components/job-labels";
import { STATUS_FILL, StatusDot, statusLabel } from "@/components/job-status-badge";
import { useNow } from "@/components/use-now";
import { isFinished } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";
import { childJobsQueryOptions } from "@/lib/queries/jobs";
import { isJobLive } from "@/lib/queries/polling";

const ms = (iso: string) => new Date(iso).getTime();

type Scale = { start: number; end: number; now: number };

function ticks(start: number, end: number): number[] {
  const span = end - start;
  const steps = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400].map((s) => s * 1000);
  const step = steps.find((s) => span / s <= 6) ?? steps.at(-1)!;
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/**
 * Child jobs as a Gantt chart: when each was created (queued, hatched), when it started and ended
 * (the bar, coloured by status), on one time axis with the parent and the containers' own children.
 * Unfinished bars grow with time.
 */
export function JobTimeline({ job, childJobs }: { job: JobJson; childJobs: readonly JobJson[] }) {
  const live = isJobLive(job);
  const now = useNow(live ? 1_000 : 60_000);
  // Descendants live inside their ancestors' lifetimes, so the job and its children set the axis.
  const shown = [job, ...childJobs];
  const start = Math.min(...shown.map((j) => ms(j.createdTime)));
  const end = Math.max(start + 1000, ...shown.map((j) => (j.endTime ? ms(j.endTime) : isFinished(j.status) ? ms(j.createdTime) : now)));
  const scale: Scale = { start, end, now };
  const multiDay = formatDateTime(new Date(start).toISOString()).slice(0, 10) !== formatDateTime(new Date(end).toISOString()).slice(0, 10);
  const tickLabel = (t: number) => (multiDay ? formatDateTime(new Date(t).toISOString()).slice(5, 16) : formatTime(new Date(t).toISOString()));

  return (
    <div className="overflow-x-auto">
      <div className="min-w-[40rem] p-4">
        <div aria-hidden="true" className="grid grid-cols-[14rem_minmax(0,1fr)] gap-3 pb-2 text-xs text-zinc-500 dark:text-zinc-400">
          <span>Job</span>
          <div className="relative h-4">
            {ticks(start, end).map((t) => (
              <span key={t} className="absolute -translate-x-1/2 whitespace-nowrap tabular-nums" style={{ left: position(scale, t) }}>
                {tickLabel(t)}
              </span>
            ))}
          </div>
        </div>
        <ol aria-label={`Timeline of job ${job.id} and its child jobs`} className="space-y-1">
          <TimelineRow row={job} depth={0} scale={scale} self />
          {childJobs.map((child) => (
            <TimelineBranch key={child.id} job={child} scale={scale} />
          ))}
        </ol>
        <p className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="inline-flex items-center gap-1.5">
            <span aria-hidden="true" className="inline-block h-2.5 w-5 rounded-sm bg-[repeating-linear-gradient(135deg,var(--color-zinc-400)_0_3px,transparent_3px_6px)]" />
            Queued or waiting
          </span>
          <span className="inline-flex items-center gap-1.5">
            <span aria-hidden="true" className="inline-block h-2.5 w-5 rounded-sm bg-blue-500" />
            Processing (coloured by status)
          </span>
          <span>Times in your time zone; hover a bar for UTC.</span>
        </p>
      </div>
    </div>
  );
}

const position = (scale: Scale, t: number) => `${(((t - scale.start) / (scale.end - scale.start)) * 100).toFixed(3)}%`;
const extent = (scale: Scale, from: number, to: number) => `${Math.max(0.4, ((to - from) / (scale.end - scale.start)) * 100).toFixed(3)}%`;

/** A child and, for a container (an orchestration phase), its own children one level in. */
function TimelineBranch({ job, scale }: { job: JobJson; scale: Scale }) {
  const nested = useInfiniteQuery({ ...childJobsQueryOptions(job.runId), enabled: job.childrenCount > 0 });
  return (
    <>
      <TimelineRow row={job} depth={1} scale={scale} />
      {nested.data?.pages.flatMap((page) => page.jobs).map((grandchild) => <TimelineRow key={grandchild.id} row={grandchild} depth={2} scale={scale} />)}
    </>
  );
}

function TimelineRow({ row, depth, scale, self = false }: { row: JobJson; depth: number; scale: Scale; self?: boolean }) {
  const created = ms(row.createdTime);
  const started = row.startTime ? ms(row.startTime) : null;
  const ended = row.endTime ? ms(row.endTime) : null;
  const runEnd = ended ?? (isFinished(row.status) ? (started ?? created) : scale.now);
  const queuedUntil = started ?? ended ?? (isFinished(row.status) ? created : scale.now);
  const summary = [
    statusLabel(row.status),
    started ? `queued ${formatDuration((started - created) / 1000)}` : isFinished(row.status) ? "never started" : "not started yet",
    started && `ran ${formatDuration((runEnd - started) / 1000)} from ${formatTime(row.startTime!)}${ended ? ` to ${formatTime(row.endTime!)}` : " until now"}`,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <li data-job-id={row.id} className="grid grid-cols-[14rem_minmax(0,1fr)] items-center gap-3 text-sm">
      <span className="flex min-w-0 items-center gap-1.5" style={{ paddingLeft: `${depth * 0.875}rem` }}>
        <StatusDot status={row.status} />
        {self ? (
          <span className="truncate font-medium text-zinc-900 dark:text-zinc-100">This job</span>
        ) : (
          <Link href={`/jobs/${row.id}`} prefetch={false} className="truncate text-zinc-800 hover:text-indigo-700 hover:underline dark:text-zinc-200 dark:hover:text-indigo-300">
            {configurationLabel(row).text}
          </Link>
        )}
        <span className="shrink-0 font-mono text-xs text-zinc-500 dark:text-zinc-400">#{row.id}</span>
        <span className="sr-only">: {summary}</span>
      </span>
      <div
        aria-hidden="true"
        title={`#${row.id} · ${summary}\nCreated ${formatUtc(row.createdTime)}${row.startTime ? `\nStarted ${formatUtc(row.startTime)}` : ""}${row.endTime ? `\nEnded ${formatUtc(row.endTime)}` : ""}`}
        className="relative h-5 rounded bg-zinc-100 dark:bg-zinc-800/60"
      >
        <span
          className="absolute inset-y-1 rounded-sm bg-[repeating-linear-gradient(135deg,var(--color-zinc-300)_0_3px,transparent_3px_6px)] dark:bg-[repeating-linear-gradient(135deg,var(--color-zinc-600)_0_3px,transparent_3px_6px)]"
          style={{ left: position(scale, created), width: extent(scale, created, queuedUntil) }}
        />
        {started !== null && (
          <span
            data-testid="timeline-bar"
            className={`absolute inset-y-0.5 rounded-sm ${STATUS_FILL[row.status]} ${isFinished(row.status) ? "" : "animate-pulse motion-reduce:animate-none"}`}
            style={{ left: position(scale, started), width: extent(scale, started, runEnd) }}
          />
        )}
      </div>
    </li>
  );
}
