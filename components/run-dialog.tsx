"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { type RefObject, useId, useState } from "react";
import { JobStatusBadge } from "@/components/job-status-badge";
import { Modal } from "@/components/modal";
import { Button, Spinner } from "@/components/ui";
import { BACKEND_SIZES } from "@/lib/jobs/credits";
import type { ConfigurationJson } from "@/lib/schemas/configurations";
import type { JobJson } from "@/lib/schemas/jobs";
import { apiFetch } from "@/lib/queries/api-fetch";
import { jobDetailQueryOptions, jobKeys } from "@/lib/queries/jobs";

const FIELD = "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const LABEL = "block text-sm font-medium text-zinc-800 dark:text-zinc-200";

/** The job a Run made, its status live, with a link to it. */
export function CreatedJob({ job }: { job: JobJson }) {
  const live = useQuery({ ...jobDetailQueryOptions(job.id), initialData: job });
  return (
    <p role="status" data-testid="created-job" className="flex flex-wrap items-center gap-2 rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200">
      <span>
        Job{" "}
        <Link href={`/jobs/${job.id}`} className="font-mono font-medium underline">
          {job.id}
        </Link>{" "}
        created
      </span>
      <JobStatusBadge status={live.data.status} />
    </p>
  );
}

/**
 * Run a configuration (or some of its rows): mode, rows, tag, backend size and parallelism.
 * The dialog stays open on the created job, whose status updates live.
 */
export function RunDialog({
  open,
  onClose,
  config,
  rowIds,
  returnFocus,
}: {
  open: boolean;
  onClose: () => void;
  config: ConfigurationJson;
  rowIds?: readonly string[];
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  return (
    <Modal open={open} onClose={onClose} labelledBy="run-dialog-title" returnFocus={returnFocus} className="w-[min(32rem,calc(100vw-1rem))]">
      <RunForm config={config} initialRows={rowIds} onClose={onClose} />
    </Modal>
  );
}

function RunForm({ config, initialRows, onClose }: { config: ConfigurationJson; initialRows?: readonly string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [mode, setMode] = useState<"run" | "debug" | "forceRun">("run");
  const [rows, setRows] = useState<string[]>(() => [...(initialRows ?? [])]);
  const [tag, setTag] = useState("");
  const [size, setSize] = useState("");
  const [parallelism, setParallelism] = useState("");
  const run = useMutation({
    mutationFn: async () =>
      (
        await apiFetch<JobJson>("/api/jobs", {
          method: "POST",
          body: {
            component: config.componentId,
            config: config.id,
            mode,
            ...(rows.length > 0 && { configRowIds: rows }),
            ...(tag.trim() && { tag: tag.trim() }),
            ...(size && { backend: { size } }),
            ...(parallelism.trim() && { parallelism: parallelism.trim() }),
          },
        })
      ).data,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: jobKeys.all }),
  });
  const enabledRows = config.rows.filter((r) => !r.isDisabled);

  return (
    <form
      className="space-y-4 p-6"
      onSubmit={(e) => {
        e.preventDefault();
        run.mutate();
      }}
    >
      <h2 id="run-dialog-title" className="text-lg font-semibold">
        Run {config.name}
      </h2>
      {config.isDisabled && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
          This configuration is disabled. Only mode <span className="font-mono">forceRun</span> runs it.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <label className={LABEL} htmlFor={`${ids}-mode`}>
          Mode
          <select id={`${ids}-mode`} className={FIELD} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
            <option value="run">run</option>
            <option value="debug">debug (no output mapping; data folder snapshots)</option>
            {config.isDisabled && <option value="forceRun">forceRun (runs although disabled)</option>}
          </select>
        </label>
        <label className={LABEL} htmlFor={`${ids}-size`}>
          Backend size
          <select id={`${ids}-size`} className={FIELD} value={size} onChange={(e) => setSize(e.target.value)}>
            <option value="">component default</option>
            {BACKEND_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className={LABEL} htmlFor={`${ids}-tag`}>
          Tag / version
          <input id={`${ids}-tag`} className={FIELD} value={tag} onChange={(e) => setTag(e.target.value)} placeholder="latest" />
        </label>
        <label className={LABEL} htmlFor={`${ids}-parallelism`}>
          Parallelism
          <input
            id={`${ids}-parallelism`}
            className={FIELD}
            value={parallelism}
            onChange={(e) => setParallelism(e.target.value)}
            placeholder={config.rows.length > 0 ? "rows one after another" : "—"}
            inputMode="numeric"
          />
        </label>
      </div>
      {config.rows.length > 0 && (
        <fieldset>
          <legend className={LABEL}>Rows to run</legend>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">None ticked: every enabled row ({enabledRows.length}).</p>
          <ul className="mt-2 max-h-40 space-y-1 overflow-y-auto">
            {config.rows.map((r) => (
              <li key={r.id}>
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={rows.includes(r.id)}
                    disabled={r.isDisabled}
                    onChange={(e) => setRows((list) => (e.target.checked ? [...list, r.id] : list.filter((id) => id !== r.id)))}
                  />
                  {r.name} <span className="font-mono text-xs text-zinc-500">{r.id}</span>
                  {r.isDisabled && <span className="text-xs text-zinc-500">(disabled)</span>}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      {run.isError && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          {run.error.message}
        </p>
      )}
      {run.data && <CreatedJob job={run.data} />}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={onClose}>Close</Button>
        <Button type="submit" variant="primary" disabled={run.isPending}>
          {run.isPending && <Spinner />}
          {run.data ? "Run once more" : "Run"}
        </Button>
      </div>
    </form>
  );
}
