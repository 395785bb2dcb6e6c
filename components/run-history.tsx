"use client";

import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { formatDateTime, formatDuration } from "@/components/format";
import { STATUS_FILL, statusLabel } from "@/components/job-status-badge";
import { Card, Skeleton } from "@/components/ui";
import { isFarFromUsual, usualSeconds } from "@/lib/configurations/run-stats";
import type { JobStatus } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";
import { runHistoryQueryOptions } from "@/lib/queries/configurations";

/** A configuration's last runs, newest first (GET /search/grouped-jobs). */
export function useRunHistory(componentId: string, configId: string | null) {
  const query = useQuery({ ...runHistoryQueryOptions(componentId, configId ?? ""), enabled: configId !== null });
  return { ...query, runs: query.data?.[0]?.jobs ?? [] };
}

/**
 * The run history: a strip of statuses (oldest left) and a duration sparkline, drawn as a small
 * SVG rather than with a chart library (30 points need no library, and it keeps the page light).
 */
export function RunHistory({ componentId, configId, currentJobId }: { componentId: string; configId: string; currentJobId?: string }) {
  const { runs, isPending, isError, error } = useRunHistory(componentId, configId);
  const usual = usualSeconds(runs, currentJobId);
  return (
    <Card className="p-4" aria-labelledby="run-history-title">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="run-history-title" className="font-semibold text-zinc-900 dark:text-zinc-50">
          Run history
        </h2>
        {usual && (
          <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="usual-duration">
            usually <span className="font-medium tabular-nums text-zinc-800 dark:text-zinc-200">{formatDuration(usual.seconds)}</span> (mean of the last{" "}
            {usual.runs} successful {usual.runs === 1 ? "run" : "runs"})
          </p>
        )}
      </div>
      {isPending ? (
        <Skeleton className="mt-3 h-12 w-full" />
      ) : isError ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          Could not load the run history: {error.message}
        </p>
      ) : runs.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">Not run yet.</p>
      ) : (
        <RunStrip runs={runs} currentJobId={currentJobId} />
      )}
    </Card>
  );
}

function RunStrip({ runs, currentJobId }: { runs: readonly JobJson[]; currentJobId?: string }) {
  const oldestFirst = runs.toReversed();
  return (
    <div className="mt-3 space-y-2">
      <ol aria-label="Last runs, oldest first" className="flex flex-wrap gap-1">
        {oldestFirst.map((job) => (
          <li key={job.id}>
            <Link
              href={`/jobs/${job.id}`}
              data-run-status={job.status}
              title={`Job ${job.id} · ${statusLabel(job.status as JobStatus)} · ${formatDateTime(job.createdTime)} · ${formatDuration(job.durationSeconds)}`}
              className={`block h-6 w-3 rounded-sm ${STATUS_FILL[job.status as JobStatus]} ${job.id === currentJobId ? "ring-2 ring-indigo-500 ring-offset-1 dark:ring-offset-zinc-900" : "opacity-90 hover:opacity-100"}`}
            >
              <span className="sr-only">
                Job {job.id}: {job.status}, {formatDuration(job.durationSeconds)}
              </span>
            </Link>
          </li>
        ))}
      </ol>
      <Sparkline runs={oldestFirst} />
    </div>
  );
}

function Sparkline({ runs }: { runs: readonly JobJson[] }) {
  const points = runs.map((r) => r.durationSeconds).filter((d): d is number => d !== null);
  if (points.length < 2) return null;
  const max = Math.max(...points, 1);
  const width = 240;
  const height = 36;
  const step = width / (points.length - 1);
  const path = points.map((d, i) => `${i === 0 ? "M" : "L"}${(i * step).toFixed(1)},${(height - 2 - (d / max) * (height - 4)).toFixed(1)}`).join(" ");
  return (
    <figure className="space-y-0.5">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className="h-9 w-full max-w-md text-indigo-500" aria-hidden="true">
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="text-zinc-200 dark:text-zinc-700" stroke="currentColor" vectorEffect="non-scaling-stroke" />
        <path d={path} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
      </svg>
      <figcaption className="text-xs text-zinc-500 dark:text-zinc-400">
        Duration of the last {points.length} runs, longest {formatDuration(max)}
      </figcaption>
    </figure>
  );
}

/** "took 3 min, usually 1 min" on a finished job far from its configuration's usual time. */
export function UsualDurationNote({ job }: { job: JobJson }) {
  const { runs } = useRunHistory(job.component, job.config);
  if (!job.isFinished || job.durationSeconds === null) return null;
  const usual = usualSeconds(runs, job.id);
  if (!usual || !isFarFromUsual(job.durationSeconds, usual.seconds)) return null;
  return (
    <span className="block text-xs text-amber-700 dark:text-amber-300" data-testid="far-from-usual">
      took {formatDuration(job.durationSeconds)}, usually {formatDuration(usual.seconds)}
    </span>
  );
}
