"use client";

import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { ComponentIcon } from "@/components/component-label";
import { formatSlot } from "@/components/schedule-editor";
import { ScheduleStateBadge } from "@/components/schedule-state";
import { buttonClass, Card, EmptyState, ErrorState, Skeleton } from "@/components/ui";
import { schedulesQueryOptions } from "@/lib/queries/schedules";
import { sessionQueryOptions } from "@/lib/queries/session";
import type { ScheduleJson } from "@/lib/schemas/schedules";

/** The Schedules page: every schedule of the project, when it runs next and how its last slot went. */
export function ScheduleList() {
  const query = useQuery(schedulesQueryOptions());
  // Only read the session the app shell checks: a second fetching observer here raced its sign-in redirect.
  const session = useQuery({ ...sessionQueryOptions(), enabled: false });
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Schedules</h1>
          <p className="max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
            Configurations that run by themselves on a cron schedule, in a time zone of your choice. Each due time makes exactly one job, under the schedule&apos;s own token.
          </p>
        </div>
        {session.data?.token.canManageJobs && (
          <Link href="/schedules/new" className={buttonClass("primary")}>
            New schedule
          </Link>
        )}
      </div>
      {query.data ? (
        query.data.length === 0 ? (
          <Card>
            <EmptyState title="No schedules yet">Create one to run a configuration every night, every hour or every minute.</EmptyState>
          </Card>
        ) : (
          <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2" aria-label="Schedules">
            {query.data.map((s) => (
              <ScheduleItem key={s.id} schedule={s} />
            ))}
          </ul>
        )
      ) : query.isError ? (
        <ErrorState title="Could not load the schedules" error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <div className="space-y-3" aria-busy="true">
          <span role="status" className="sr-only">
            Loading schedules
          </span>
          <Skeleton className="h-24 w-full rounded-xl" />
          <Skeleton className="h-24 w-full rounded-xl" />
        </div>
      )}
    </div>
  );
}

function ScheduleItem({ schedule: s }: { schedule: ScheduleJson }) {
  const last = s.executions[0];
  return (
    <li>
      <Card className="h-full p-4">
        <div className="flex items-start gap-3">
          <ComponentIcon componentId={s.target.componentId} />
          <div className="min-w-0 flex-1 space-y-1">
            <div className="flex items-center gap-2">
              <Link href={`/schedules/${s.id}`} className="truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                {s.name}
              </Link>
              <ScheduleStateBadge schedule={s} />
            </div>
            <p className="text-sm text-zinc-700 dark:text-zinc-300">
              {s.cronDescription} <span className="text-zinc-500 dark:text-zinc-400">· {s.schedule.timezone}</span>
            </p>
            <p className="truncate text-sm text-zinc-500 dark:text-zinc-400">
              Runs {s.targetName ?? `${s.target.componentId}/${s.target.configurationId}`}
              {s.target.configurationRowIds.length > 0 && ` (${s.target.configurationRowIds.length} rows)`}
            </p>
            <dl className="flex flex-wrap gap-x-5 gap-y-1 pt-1 text-xs text-zinc-500 dark:text-zinc-400">
              <div>
                <dt className="inline">Next: </dt>
                <dd className="inline text-zinc-800 tabular-nums dark:text-zinc-200">{s.nextRuns[0] ? formatSlot(s.nextRuns[0], s.schedule.timezone) : "—"}</dd>
              </div>
              <div>
                <dt className="inline">Last: </dt>
                <dd className="inline text-zinc-800 dark:text-zinc-200">
                  {last ? (
                    last.jobId ? (
                      <Link href={`/jobs/${last.jobId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                        job {last.jobId}
                      </Link>
                    ) : (
                      <span className="text-red-700 dark:text-red-300">failed</span>
                    )
                  ) : (
                    "never ran"
                  )}
                </dd>
              </div>
            </dl>
          </div>
        </div>
      </Card>
    </li>
  );
}
