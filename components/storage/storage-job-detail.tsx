"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import type { ReactNode } from "react";
import { storageJobQuery } from "@/lib/queries/storage";
import type { StorageJobJson } from "@/lib/schemas/storage";
import { formatBytes, formatDuration, formatTime } from "@/components/storage/format";
import { QueryState } from "@/components/storage/query-state";
import { StorageJobStatusBadge } from "@/components/storage/storage-job-status";
import { tableHref } from "@/components/storage/storage-jobs-table";

/** The File a job read or wrote: the export's result, or the import's data file. */
export function jobFileId(job: StorageJobJson): string | null {
  const fromResults = (job.results?.file as { id?: unknown } | undefined)?.id;
  if (typeof fromResults === "string") return fromResults;
  const fromParams = job.operationParams.dataFileId;
  return typeof fromParams === "string" ? fromParams : null;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5 py-2 sm:flex-row sm:justify-between sm:gap-4">
      <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="text-sm text-zinc-900 dark:text-zinc-100 sm:text-right">{children}</dd>
    </div>
  );
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  return (
    <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900">
      <h2 className="border-b border-zinc-200 dark:border-zinc-800 px-4 py-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300">{title}</h2>
      <pre className="overflow-x-auto p-4 font-mono text-xs leading-relaxed text-zinc-800 dark:text-zinc-200">{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}

export function StorageJobDetail({ id }: { id: string }) {
  const query = useQuery(storageJobQuery(id));
  const job = query.data;
  if (!job) return <QueryState error={query.error} loading={query.isPending} what={`Storage job ${id}`} />;
  const fileId = jobFileId(job);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link href="/storage/jobs" className="text-sm text-indigo-700 dark:text-indigo-300 hover:underline">← All Storage jobs</Link>
        <h1 className="text-xl font-semibold">Storage job {job.id}</h1>
        <StorageJobStatusBadge status={job.status} />
      </div>
      {job.error && (
        <div role="alert" className="rounded-lg border border-red-200 dark:border-red-900 bg-red-50 dark:bg-red-950/50 p-4 text-sm text-red-900 dark:text-red-100">
          <p className="font-semibold">{job.error.code}</p>
          <p className="mt-1 whitespace-pre-wrap break-words">{job.error.message}</p>
        </div>
      )}
      <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900 px-4">
        <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
          <Row label="Created time">{formatTime(job.createdTime)}</Row>
          <Row label="Status"><StorageJobStatusBadge status={job.status} /></Row>
          <Row label="Start time">{formatTime(job.startTime)}</Row>
          <Row label="End time">{formatTime(job.endTime)}</Row>
          <Row label="Duration">{formatDuration(job.durationSeconds)}</Row>
          <Row label="Data transfer">{formatBytes(job.metrics.inBytes + job.metrics.outBytes)}</Row>
          <Row label="Operation">{job.operationName}</Row>
          <Row label="Table ID">{job.tableId ? <Link href={tableHref(job.tableId)} className="break-all text-indigo-700 dark:text-indigo-300 hover:underline">{job.tableId}</Link> : "—"}</Row>
          <Row label="Run ID">{job.runId ?? "—"}</Row>
          <Row label="File ID">
            {fileId ? (
              <Link href={`/storage/files?fileId=${fileId}`} className="font-mono text-indigo-700 dark:text-indigo-300 hover:underline" data-testid="job-file-link">{fileId}</Link>
            ) : (
              "—"
            )}
          </Row>
          <Row label="Creator">{job.creatorToken.description}</Row>
        </dl>
      </section>
      <JsonBlock title="Params" value={job.operationParams} />
      <JsonBlock title="Results" value={job.results ?? {}} />
    </div>
  );
}
