"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { ComponentLabel } from "@/components/component-label";
import { formatDateTime, formatUtc, plural } from "@/components/format";
import { Modal, ModalFooter } from "@/components/modal";
import { ScheduleEditor, formatSlot } from "@/components/schedule-editor";
import { ScheduleStateBadge } from "@/components/schedule-state";
import { Button, Card, EmptyState, ErrorState, Field, Skeleton, Spinner } from "@/components/ui";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { configurationHref } from "@/components/hrefs";
import { deleteSchedule, scheduleKeys, scheduleQueryOptions, updateSchedule } from "@/lib/queries/schedules";
import { sessionQueryOptions } from "@/lib/queries/session";
import type { ScheduleJson } from "@/lib/schemas/schedules";

/** One schedule: when it runs, what, its recent slots (with the job each made or why none), pause/resume, edit, delete. */
export function ScheduleDetail({ id }: { id: string }) {
  const query = useQuery(scheduleQueryOptions(id));
  const [editing, setEditing] = useState(false);
  if (query.data) {
    return editing ? (
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Edit {query.data.name}</h1>
        <ScheduleEditor initial={query.data} onDone={() => setEditing(false)} />
      </div>
    ) : (
      <ScheduleView schedule={query.data} onEdit={() => setEditing(true)} />
    );
  }
  if (query.isError) {
    return isApiRequestError(query.error, 404) ? (
      <Card>
        <EmptyState title={`Schedule ${id} was not found`}>
          It may have been deleted. <Link href="/schedules" className="text-indigo-700 hover:underline dark:text-indigo-300">All schedules</Link>
        </EmptyState>
      </Card>
    ) : (
      <ErrorState title="Could not load the schedule" error={query.error} onRetry={() => void query.refetch()} />
    );
  }
  return (
    <div className="space-y-3" aria-busy="true">
      <span role="status" className="sr-only">
        Loading the schedule
      </span>
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-40 w-full rounded-xl" />
    </div>
  );
}

function ScheduleView({ schedule: s, onEdit }: { schedule: ScheduleJson; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const session = useQuery(sessionQueryOptions());
  const canManage = session.data?.token.canManageJobs === true;
  const toggle = useMutation({
    mutationFn: () => updateSchedule(s.id, { state: s.schedule.state === "enabled" ? "disabled" : "enabled" }),
    onSuccess: (updated) => {
      queryClient.setQueryData(scheduleKeys.detail(s.id), updated);
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.list() });
    },
  });
  const paused = s.schedule.state === "disabled";

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/schedules" className="hover:underline">
          Schedules
        </Link>{" "}
        / <span className="text-zinc-800 dark:text-zinc-200">{s.id}</span>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">{s.name}</h1>
            <ScheduleStateBadge schedule={s} />
          </div>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {s.cronDescription} · <span className="font-mono">{s.schedule.cronTab}</span> · {s.schedule.timezone}
          </p>
        </div>
        {canManage && (
          <div className="flex flex-wrap gap-2">
            <Button variant={paused ? "primary" : "secondary"} onClick={() => toggle.mutate()} disabled={toggle.isPending}>
              {toggle.isPending && <Spinner />}
              {paused ? "Resume" : "Pause"}
            </Button>
            <Button onClick={onEdit}>Edit</Button>
            <DeleteScheduleButton schedule={s} />
          </div>
        )}
      </div>

      {toggle.isError && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950/50 dark:text-red-200">
          {toggle.error.message}
        </p>
      )}
      {s.broken && (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          <p className="font-semibold">This schedule is broken: its slots make no job.</p>
          <p className="mt-1">{s.broken.reason}</p>
          <p className="mt-1">Each due time is still recorded below as failed. Edit the schedule to point it at a configuration that exists.</p>
        </div>
      )}

      <Card className="p-5">
        <h2 className="sr-only">Summary</h2>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-5 lg:grid-cols-4">
          <Field label="Runs" className="max-sm:col-span-2">
            {s.targetName ? (
              <Link href={configurationHref(s.target.componentId, s.target.configurationId)} className="block font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                {s.targetName}
              </Link>
            ) : (
              <span className="block font-medium italic">missing configuration {s.target.configurationId}</span>
            )}
            <span className="mt-1 block">
              <ComponentLabel componentId={s.target.componentId} showId />
            </span>
          </Field>
          <Field label="Rows">{s.target.configurationRowIds.length > 0 ? s.target.configurationRowIds.join(", ") : "All enabled rows"}</Field>
          <Field label="Mode">
            <span className="font-mono">{s.target.mode}</span>
          </Field>
          <Field label="Configuration">
            <span className="font-mono">keboola.scheduler/{s.configurationId}</span>
            <span className="block text-xs text-zinc-500 dark:text-zinc-400">version {s.configurationVersionId}</span>
          </Field>
        </dl>
      </Card>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="p-5">
          <h2 className="text-base font-semibold text-zinc-900 dark:text-zinc-50">Next runs</h2>
          {s.nextRuns.length === 0 ? (
            <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">{paused ? "Paused: nothing runs until it is resumed." : "None."}</p>
          ) : (
            <ol className="mt-2 space-y-1 text-sm tabular-nums" data-testid="next-runs">
              {s.nextRuns.map((iso) => (
                <li key={iso} title={formatUtc(iso)}>
                  {formatSlot(iso, s.schedule.timezone)}
                </li>
              ))}
            </ol>
          )}
          <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">If nothing was running at a due time, the next start makes one catch-up run for the latest missed time, not one per missed time.</p>
        </Card>
        <Card className="lg:col-span-2">
          <h2 className="px-5 pt-5 text-base font-semibold text-zinc-900 dark:text-zinc-50">Recent runs</h2>
          {s.executions.length === 0 ? (
            <EmptyState title="No runs yet">{paused ? "Resume the schedule to run it." : s.nextRuns[0] ? `The first is due ${formatSlot(s.nextRuns[0], s.schedule.timezone)}.` : null}</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table className="mt-2 w-full text-left text-sm" data-testid="executions">
                <thead className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
                  <tr>
                    <th scope="col" className="px-5 py-2 font-medium">Due</th>
                    <th scope="col" className="px-5 py-2 font-medium">Result</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                  {s.executions.map((e) => (
                    <tr key={e.slotTime}>
                      <td className="whitespace-nowrap px-5 py-2 tabular-nums" title={`made ${formatDateTime(e.executionTime)} (${formatUtc(e.executionTime)})`}>
                        {formatSlot(e.slotTime, s.schedule.timezone)}
                      </td>
                      <td className="px-5 py-2">
                        {e.jobId ? (
                          <Link href={`/jobs/${e.jobId}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                            Job {e.jobId}
                          </Link>
                        ) : (
                          <span className="text-red-700 dark:text-red-300">
                            <span className="font-medium">No job:</span> {e.reason}
                          </span>
                        )}
                        {e.missedSlots > 0 && (
                          <span className="block text-xs text-zinc-500 dark:text-zinc-400">catch-up: {plural(e.missedSlots, "earlier time")} missed while nothing ran</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}

function DeleteScheduleButton({ schedule }: { schedule: ScheduleJson }) {
  const [open, setOpen] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteSchedule(schedule.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.all });
      router.push("/schedules");
    },
  });
  return (
    <>
      <Button ref={triggerRef} variant="danger" onClick={() => setOpen(true)} disabled={remove.isPending}>
        Delete
      </Button>
      {remove.isError && <span role="alert" className="text-sm text-red-700">{remove.error.message}</span>}
      <Modal open={open} onClose={() => setOpen(false)} labelledBy={titleId} returnFocus={triggerRef} className="w-[min(28rem,calc(100vw-2rem))]">
        <div className="p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            Delete schedule {schedule.name}?
          </h2>
          <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-300">It stops making jobs and its token is revoked. Jobs it made stay, and so does its keboola.scheduler configuration.</p>
        </div>
        <ModalFooter>
          <Button type="submit" autoFocus>
            Keep it
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setOpen(false);
              remove.mutate();
            }}
          >
            Delete schedule
          </Button>
        </ModalFooter>
      </Modal>
    </>
  );
}
