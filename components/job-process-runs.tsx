// What a job's process components ran (result.processes): each program with its version, command,
// sandbox and limits, how it ended and a link to its complete output; and the Files of the run
// (debug snapshots of the data folder, the files it wrote).
import type { ReactNode } from "react";
import { formatBytes, formatDuration, plural } from "@/components/format";
import { Card, Field } from "@/components/ui";
import type { JobJson, JobResult, ProcessRun } from "@/lib/schemas/jobs";

type RunFile = NonNullable<JobResult["files"]>[number];
type Tone = "good" | "user" | "bad" | "stopped";

export const fileDownloadHref = (id: string) => `/api/v2/storage/files/${id}/download`;

const TONE_STYLE: Record<Tone, string> = {
  good: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  user: "bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
  bad: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
  stopped: "bg-orange-50 text-orange-800 ring-orange-300 dark:bg-orange-950 dark:text-orange-300 dark:ring-orange-800",
};

/** How a program ended, in words, with the meaning Keboola's Common Interface gives exit codes. */
export function processEnd(run: Pick<ProcessRun, "end" | "exitCode" | "signal">): { label: string; detail: string; tone: Tone } {
  switch (run.end) {
    case "exited":
      if (run.exitCode === 0) return { label: "Exit code 0", detail: "succeeded", tone: "good" };
      if (run.exitCode === 1) return { label: "Exit code 1", detail: "user error", tone: "user" };
      return { label: `Exit code ${run.exitCode ?? "?"}`, detail: "application error", tone: "bad" };
    case "signaled":
      return { label: `Killed by ${run.signal ?? "a signal"}`, detail: "application error", tone: "bad" };
    case "timeout":
      return { label: "Stopped: time limit", detail: "ran longer than allowed", tone: "stopped" };
    case "memory":
      return { label: "Stopped: memory limit", detail: "used more memory than allowed", tone: "stopped" };
    case "dataFolder":
      return { label: "Stopped: data folder limit", detail: "wrote more than allowed", tone: "stopped" };
    case "terminated":
      return { label: "Terminated", detail: "the job was terminated", tone: "stopped" };
    case "spawnFailed":
      return { label: "Could not start", detail: "the program did not start", tone: "bad" };
  }
}

/** argv as one would type it in a shell: words with spaces or quotes are quoted. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}

// Limits are set in MiB (as the runtime's own log line says them).
function formatMb(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GiB` : `${mb} MiB`;
}

const linkClass = "font-medium text-indigo-700 hover:underline dark:text-indigo-300";

function DownloadLink({ file, children }: { file: { id: string; name: string }; children: ReactNode }) {
  return (
    <a href={fileDownloadHref(file.id)} download={file.name} className={linkClass}>
      {children}
    </a>
  );
}

/** "Runtime": every program the job ran, in order. Nothing for jobs of built-in components. */
export function JobProcessRuns({ job }: { job: JobJson }) {
  const runs = job.result.processes ?? [];
  if (runs.length === 0) return null;
  const files = new Map((job.result.files ?? []).map((f) => [f.id, f]));
  return (
    <Card className="p-4 sm:p-5" aria-labelledby="runtime-title">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h2 id="runtime-title" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
          Runtime
        </h2>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">{plural(runs.length, "program")} in the order they ran</p>
      </div>
      <ol className="mt-3 space-y-3" aria-label="Programs the job ran">
        {runs.map((run, index) => (
          <ProcessRunItem key={index} run={run} index={index} log={run.outputFileId ? (files.get(run.outputFileId) ?? { id: run.outputFileId, name: `output-${index + 1}.log` }) : null} />
        ))}
      </ol>
    </Card>
  );
}

function ProcessRunItem({ run, index, log }: { run: ProcessRun; index: number; log: { id: string; name: string } | null }) {
  const end = processEnd(run);
  const { limits } = run;
  return (
    <li data-testid="process-run" data-end={run.end} className="rounded-lg border border-zinc-200 p-3 sm:p-4 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <span className="min-w-0 font-mono text-sm font-medium [overflow-wrap:anywhere] text-zinc-900 dark:text-zinc-100">
          <span className="mr-2 font-sans text-xs font-normal tabular-nums text-zinc-500 dark:text-zinc-400">{index + 1}.</span>
          {run.component}
          {run.version && <span className="text-zinc-500 dark:text-zinc-400"> {run.version}</span>}
        </span>
        <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">{run.role}</span>
        {run.rowId && <span className="break-all text-xs text-zinc-600 dark:text-zinc-400">row <span className="font-mono">{run.rowId}</span></span>}
        <span
          data-testid="process-end"
          className={`ml-auto inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE_STYLE[end.tone]}`}
        >
          {end.label}
          <span className="font-normal opacity-80">· {end.detail}</span>
        </span>
      </div>

      <pre
        aria-label="Command"
        className="mt-3 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200"
      >
        <span aria-hidden="true" className="select-none text-zinc-400 dark:text-zinc-600">$ </span>
        {formatCommand(run.command)}
      </pre>

      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
        <Field label="Sandbox">
          {run.sandbox === "bwrap" ? (
            <span data-testid="process-sandbox">bubblewrap</span>
          ) : (
            <span data-testid="process-sandbox" className="font-medium text-amber-800 dark:text-amber-300">
              None: ran unsandboxed
            </span>
          )}
        </Field>
        <Field label="Limits" className="col-span-2 sm:col-span-2 lg:col-span-2">
          <span data-testid="process-limits" className="block">
            {formatDuration(limits.timeoutSeconds)} · {formatMb(limits.memoryMb)} memory · {formatMb(limits.dataFolderMb)} data folder ·{" "}
            network {limits.network ? "on" : "off"}
          </span>
        </Field>
        <Field label="Duration">
          <span className="tabular-nums">{formatMs(run.durationMs)}</span>
        </Field>
        <Field label="Peak memory">
          <span className="tabular-nums">{run.peakRssBytes > 0 ? formatBytes(run.peakRssBytes) : "—"}</span>
        </Field>
        <Field label="Output">
          <span className="block tabular-nums">{plural(run.outputLines, "line")}</span>
          {log && (
            <DownloadLink file={log}>
              Download full output<span className="sr-only"> of {run.component}</span>
            </DownloadLink>
          )}
        </Field>
      </dl>
    </li>
  );
}

/** What a snapshot's name (stage_0, stage_2-row-7, stage_output) says about when it was taken. */
export function snapshotStage(name: string): string {
  const match = /stage_(\d+|output)(?:-row-([^.]+))?/.exec(name);
  if (!match) return "";
  const row = match[2] ? ` (row ${match[2]})` : "";
  if (match[1] === "output") return `after the last program, before output mapping${row}`;
  const step = Number(match[1]);
  return `${step === 0 ? "before the first program" : `before program ${step + 1}`}${row}`;
}

function FileCard({ title, hint, id, children }: { title: string; hint?: ReactNode; id: string; children: ReactNode }) {
  return (
    <Card className="p-4" aria-labelledby={id}>
      <h2 id={id} className="font-semibold text-zinc-900 dark:text-zinc-50">
        {title}
      </h2>
      {hint && <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
      {children}
    </Card>
  );
}

function FileList({ files, label, describe }: { files: readonly RunFile[]; label: string; describe?: (file: RunFile) => string }) {
  return (
    <ul aria-label={label} className="divide-y divide-zinc-100 dark:divide-zinc-800">
      {files.map((file) => (
        <li key={file.id} data-file-id={file.id} className="flex items-baseline justify-between gap-3 py-2 first:pt-0 last:pb-0">
          <span className="min-w-0">
            <span className="block break-all font-mono text-sm text-zinc-900 dark:text-zinc-100">{file.name}</span>
            {describe?.(file) && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{describe(file)}</span>}
            {file.tableId && <span className="block break-all font-mono text-xs text-zinc-500 dark:text-zinc-400">{file.tableId}</span>}
          </span>
          <span className="shrink-0 text-sm">
            <DownloadLink file={file}>
              Download<span className="sr-only"> {file.name}</span>
            </DownloadLink>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The Files of a run, for the side column: debug snapshots, files it wrote and read, other logs. */
export function JobRunFiles({ job }: { job: JobJson }) {
  const files = job.result.files ?? [];
  const linked = new Set((job.result.processes ?? []).map((p) => p.outputFileId).filter(Boolean));
  const snapshots = files.filter((f) => f.role === "snapshot");
  const outputs = files.filter((f) => f.role === "output");
  const inputs = files.filter((f) => f.role === "input");
  const logs = files.filter((f) => f.role === "log" && !linked.has(f.id));
  return (
    <>
      {snapshots.length > 0 && (
        <FileCard
          id="snapshots-title"
          title="Snapshots"
          hint="Zips of the data folder, kept by this debug run: stage_0 before the first program, stage_1… before each next one (processors), stage_output before output mapping. Encrypted values are removed."
        >
          <FileList files={snapshots} label="Snapshots" describe={(f) => snapshotStage(f.name)} />
        </FileCard>
      )}
      {(outputs.length > 0 || inputs.length > 0 || logs.length > 0) && (
        <FileCard id="run-files-title" title="Files" hint="Files of this run, stored in Storage → Files">
          <div className="space-y-4">
            {outputs.length > 0 && <FileGroup title="Written by the job" files={outputs} />}
            {inputs.length > 0 && <FileGroup title="Read by the job" files={inputs} />}
            {logs.length > 0 && <FileGroup title="Output logs" files={logs} />}
          </div>
        </FileCard>
      )}
    </>
  );
}

function FileGroup({ title, files }: { title: string; files: readonly RunFile[] }) {
  return (
    <div>
      <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{title}</h3>
      <FileList files={files} label={title} />
    </div>
  );
}
