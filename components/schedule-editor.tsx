"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, useId, useMemo, useState } from "react";
import { localTimeZone } from "@/components/format";
import { Button, Card } from "@/components/ui";
import { useDebouncedValue } from "@/components/use-debounced-value";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { componentsQueryOptions } from "@/lib/queries/components";
import { type ScheduleBody, createSchedule, scheduleKeys, schedulePreviewQueryOptions, updateSchedule } from "@/lib/queries/schedules";
import { JOB_MODES } from "@/lib/jobs/state";
import { SCHEDULER_COMPONENT } from "@/lib/schedules/component";
import type { ScheduleJson, SchedulePreviewJson } from "@/lib/schemas/schedules";

const controlClass =
  "w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-500 aria-[invalid=true]:ring-red-500 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700";

const PRESETS: [label: string, cronTab: string][] = [
  ["Every minute", "* * * * *"],
  ["Every hour", "0 * * * *"],
  ["Daily at 02:00", "0 2 * * *"],
  ["Weekdays at 08:00", "0 8 * * 1-5"],
];

const MODE_LABEL: Record<string, string> = { run: "Run", forceRun: "Force run (even when disabled)", debug: "Debug (nothing written to Storage)" };

/** A slot as the schedule's zone reads it ("Sun 29 Mar, 03:00 CEST"). */
export function formatSlot(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}

function timeZones(): string[] {
  try {
    return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  } catch {
    return ["UTC"];
  }
}

/**
 * Creates or edits a schedule: what it runs (a configuration, optionally some rows, the mode) and
 * when (a cron expression in a time zone), with the expression read for people and the next five
 * runs, asked of the server as one types (it reads them as its scheduler will).
 */
export function ScheduleEditor({ initial, onDone }: { initial?: ScheduleJson; onDone?: () => void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const ids = { name: useId(), target: useId(), mode: useId(), cron: useId(), zone: useId(), zones: useId(), reading: useId() };
  const components = useQuery(componentsQueryOptions());
  const [name, setName] = useState(initial?.name ?? "");
  const [target, setTarget] = useState(initial ? `${initial.target.componentId}/${initial.target.configurationId}` : "");
  const [rowIds, setRowIds] = useState<string[]>(initial?.target.configurationRowIds ?? []);
  const [mode, setMode] = useState<string>(initial?.target.mode ?? "run");
  const [cronTab, setCronTab] = useState(initial?.schedule.cronTab ?? "0 2 * * *");
  const [timezone, setTimezone] = useState(initial?.schedule.timezone ?? localTimeZone());

  const configurations = useMemo(
    () =>
      (components.data ?? [])
        .filter((c) => c.id !== SCHEDULER_COMPONENT)
        .flatMap((c) => (c.configurations ?? []).map((config) => ({ key: `${c.id}/${config.id}`, component: c, config }))),
    [components.data],
  );
  const chosen = configurations.find((c) => c.key === target);
  const when = useCronPreview(cronTab, timezone);
  const problem = when.problem;

  const save = useMutation({
    mutationFn: async () => {
      const [componentId, configurationId] = [target.slice(0, target.indexOf("/")), target.slice(target.indexOf("/") + 1)];
      const configuration: ScheduleBody = {
        schedule: { cronTab: cronTab.trim(), timezone: timezone.trim(), state: initial?.schedule.state ?? "enabled" },
        target: { componentId, configurationId, configurationRowIds: rowIds, mode },
      };
      return initial ? updateSchedule(initial.id, { name: name.trim(), configuration }) : createSchedule({ name: name.trim(), configuration });
    },
    onSuccess: (schedule) => {
      queryClient.setQueryData(scheduleKeys.detail(schedule.id), schedule);
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.list() });
      if (onDone) onDone();
      else router.push(`/schedules/${schedule.id}`);
    },
  });
  const serverField = isApiRequestError(save.error) ? save.error.field : undefined;
  const serverSays = (suffix: string) => (serverField?.endsWith(suffix) ? save.error?.message : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (when.ready && name.trim() && target) save.mutate();
  };

  return (
    <Card className="p-5">
      <form onSubmit={submit} className="space-y-6" noValidate aria-label={initial ? "Edit schedule" : "New schedule"}>
        <div className="grid gap-5 md:grid-cols-2">
          <Labelled id={ids.name} label="Name" error={serverSays(".name") ?? (save.isIdle || name.trim() ? undefined : "A name is required.")}>
            <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="Nightly pipeline" className={controlClass} />
          </Labelled>
          <Labelled id={ids.target} label="Configuration to run" error={serverSays("target.configurationId") ?? serverSays("target.componentId") ?? serverSays("target.mode")}>
            <select
              id={ids.target}
              value={target}
              onChange={(e) => {
                setTarget(e.target.value);
                setRowIds([]);
              }}
              required
              className={controlClass}
            >
              <option value="">{components.isPending ? "Loading configurations…" : "Choose a configuration"}</option>
              {target && !chosen && components.isSuccess && <option value={target}>{target} (not found)</option>}
              {configurations.map(({ key, component, config }) => (
                <option key={key} value={key}>
                  {component.name} — {config.name}
                  {config.isDisabled ? " (disabled)" : ""}
                </option>
              ))}
            </select>
          </Labelled>
        </div>

        {chosen && chosen.config.rows.length > 0 && (
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Rows</legend>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">None chosen: every enabled row runs.</p>
            <div className="flex flex-wrap gap-2">
              {chosen.config.rows.map((row) => (
                <label key={row.id} className="inline-flex items-center gap-2 rounded-md px-2.5 py-1 text-sm ring-1 ring-zinc-300 dark:ring-zinc-700">
                  <input
                    type="checkbox"
                    checked={rowIds.includes(row.id)}
                    onChange={(e) => setRowIds((ids) => (e.target.checked ? [...ids, row.id] : ids.filter((id) => id !== row.id)))}
                  />
                  {row.name}
                  {row.isDisabled && <span className="text-xs text-zinc-500">(disabled)</span>}
                </label>
              ))}
            </div>
            {serverSays("configurationRowIds") && <p className="text-sm text-red-700 dark:text-red-300">{serverSays("configurationRowIds")}</p>}
          </fieldset>
        )}

        <Labelled id={ids.mode} label="Mode">
          <select id={ids.mode} value={mode} onChange={(e) => setMode(e.target.value)} className={`${controlClass} md:w-80`}>
            {JOB_MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_LABEL[m] ?? m}
              </option>
            ))}
          </select>
        </Labelled>

        <div className="grid gap-5 md:grid-cols-2">
          <div className="space-y-2">
            <Labelled id={ids.cron} label="When (cron: minute hour day-of-month month day-of-week)" error={problem?.field === "cronTab" ? problem.message : serverSays("cronTab")}>
              <input
                id={ids.cron}
                value={cronTab}
                onChange={(e) => setCronTab(e.target.value)}
                spellCheck={false}
                autoComplete="off"
                aria-describedby={ids.reading}
                aria-invalid={problem?.field === "cronTab"}
                className={`${controlClass} font-mono`}
              />
            </Labelled>
            <div className="flex flex-wrap gap-1.5">
              {PRESETS.map(([label, value]) => (
                <Button key={value} size="sm" variant={cronTab === value ? "primary" : "secondary"} onClick={() => setCronTab(value)}>
                  {label}
                </Button>
              ))}
            </div>
          </div>
          <Labelled id={ids.zone} label="Time zone" error={problem?.field === "timezone" ? problem.message : serverSays("timezone")}>
            <input id={ids.zone} list={ids.zones} value={timezone} onChange={(e) => setTimezone(e.target.value)} spellCheck={false} aria-invalid={problem?.field === "timezone"} className={controlClass} />
            <datalist id={ids.zones}>
              {timeZones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </Labelled>
        </div>

        <div id={ids.reading} className="rounded-lg bg-zinc-50 p-4 text-sm dark:bg-zinc-950/60" aria-live="polite">
          {when.preview ? (
            <div className={when.ready ? undefined : "opacity-60"}>
              <p className="font-medium text-zinc-900 dark:text-zinc-100" data-testid="cron-reading">
                {when.preview.description} <span className="font-normal text-zinc-500 dark:text-zinc-400">({when.preview.timezone})</span>
              </p>
              <p className="mt-3 text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Next five runs</p>
              <ol className="mt-1 space-y-0.5 tabular-nums" data-testid="next-runs">
                {when.preview.nextRuns.map((iso) => (
                  <li key={iso} title={iso}>
                    {formatSlot(iso, when.preview!.timezone)}
                  </li>
                ))}
              </ol>
            </div>
          ) : (
            <p className="text-zinc-500 dark:text-zinc-400">{when.failed ?? "The next runs appear here once the expression and the time zone are valid."}</p>
          )}
        </div>

        {save.isError && !serverField?.match(/(name|cronTab|timezone|configurationId|componentId|mode|configurationRowIds)$/) && (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950/50 dark:text-red-200">
            {save.error.message}
          </p>
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          {onDone && (
            <Button onClick={onDone} disabled={save.isPending}>
              Cancel
            </Button>
          )}
          <Button type="submit" variant="primary" disabled={save.isPending || !when.ready || !name.trim() || !target}>
            {save.isPending ? "Saving…" : initial ? "Save schedule" : "Create schedule"}
          </Button>
        </div>
      </form>
    </Card>
  );
}

type CronReading = {
  /** The server's latest reading (while the next is asked, the last one); null before the first, and when the input is invalid. */
  preview: SchedulePreviewJson | null;
  /** True when `preview` is of exactly what is typed now. */
  ready: boolean;
  problem: { field: "cronTab" | "timezone"; message: string } | null;
  /** Why the server could not be asked (not a problem of the input). */
  failed: string | null;
};

/**
 * The cronTab and time zone as the server reads them, asked once typing pauses. The last reading
 * stays shown (dimmed, not ready) while the next is asked, so the preview does not flicker.
 */
function useCronPreview(cronTab: string, timezone: string): CronReading {
  const typed = { cronTab: cronTab.trim(), timezone: timezone.trim() };
  const asked = { cronTab: useDebouncedValue(typed.cronTab, 250), timezone: useDebouncedValue(typed.timezone, 250) };
  const settled = asked.cronTab === typed.cronTab && asked.timezone === typed.timezone;
  const query = useQuery({ ...schedulePreviewQueryOptions(asked.cronTab, asked.timezone), enabled: asked.cronTab !== "", placeholderData: keepPreviousData });
  if (typed.cronTab === "") return { preview: null, ready: false, problem: { field: "cronTab", message: "Enter a cron expression." }, failed: null };
  const error = query.error;
  const field = isApiRequestError(error, 422) ? error.field : undefined;
  if (field === "cronTab" || field === "timezone") {
    // The server names the field before its words ("cronTab: …"); the form names it already.
    return { preview: null, ready: false, problem: { field, message: error!.message.replace(/^(cronTab|timezone): /, "") }, failed: null };
  }
  if (error) return { preview: null, ready: false, problem: null, failed: `Could not read the expression: ${error.message}` };
  const preview = query.data ?? null;
  return { preview, ready: settled && preview !== null && !query.isPlaceholderData, problem: null, failed: null };
}

function Labelled({ id, label, error, children }: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      {children}
      {error && (
        <p className="text-sm text-red-700 dark:text-red-300" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
