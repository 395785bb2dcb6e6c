"use client";
import { useQuery } from "@tanstack/react-query";
import { previewQuery, storageJobsQuery, tableQuery } from "@/lib/queries/storage";
import { formatBytes, formatCount, formatTime } from "@/components/storage/format";
import { QueryState } from "@/components/storage/query-state";
import { StorageJobsTable } from "@/components/storage/storage-jobs-table";
import { TableActions } from "@/components/storage/table-actions";

/** One table: columns, row count, a data preview and its Storage jobs. */
export function TableDetail({ tableId }: { tableId: string }) {
  const table = useQuery(tableQuery(tableId));
  const preview = useQuery(previewQuery(tableId));
  const jobs = useQuery(storageJobsQuery({ tableId }));
  if (!table.data) return <QueryState error={table.error} loading={table.isPending} what={`table ${tableId}`} />;
  const t = table.data;
  const key = new Set(t.primaryKey);
  return (
    <div className="min-w-0 space-y-4">
      <div className="space-y-2">
        <h2 className="break-all text-lg font-semibold">{t.id}</h2>
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
          <div><dt className="inline">Rows: </dt><dd className="inline font-medium text-zinc-900 dark:text-zinc-100" data-testid="rows-count">{formatCount(t.rowsCount)}</dd></div>
          <div><dt className="inline">Size: </dt><dd className="inline font-medium text-zinc-900 dark:text-zinc-100">{formatBytes(t.dataSizeBytes)}</dd></div>
          <div><dt className="inline">Last import: </dt><dd className="inline font-medium text-zinc-900 dark:text-zinc-100">{formatTime(t.lastImportDate)}</dd></div>
        </dl>
        <TableActions tableId={t.id} />
      </div>
      <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900 p-4">
        <h3 className="mb-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300">Columns</h3>
        <ul className="flex flex-wrap gap-2">
          {t.columns.map((column) => (
            <li key={column} className="rounded bg-zinc-100 dark:bg-zinc-800 px-2 py-1 font-mono text-xs text-zinc-800 dark:text-zinc-200">
              {column}
              {key.has(column) && <span className="ml-1 rounded bg-indigo-100 dark:bg-indigo-900 px-1 text-[10px] font-semibold text-indigo-800 dark:text-indigo-200" title="Primary key">PK</span>}
            </li>
          ))}
        </ul>
      </section>
      <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900">
        <h3 className="border-b border-zinc-200 dark:border-zinc-800 px-4 py-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300">Data preview</h3>
        {preview.data ? (
          preview.data.rows.length === 0 ? (
            <p className="p-4 text-sm text-zinc-500 dark:text-zinc-400">The table has no rows.</p>
          ) : (
            <div className="max-h-96 overflow-auto">
              <table className="w-full text-left font-mono text-xs">
                <thead className="sticky top-0 bg-zinc-50 dark:bg-zinc-800/60">
                  <tr>{preview.data.columns.map((c) => <th key={c} className="whitespace-nowrap px-3 py-2 font-semibold text-zinc-700 dark:text-zinc-300">{c}</th>)}</tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                  {preview.data.rows.map((row, i) => (
                    <tr key={i}>{row.map((value, j) => <td key={j} className="max-w-xs truncate whitespace-pre px-3 py-1.5" title={value}>{value}</td>)}</tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : (
          <QueryState error={preview.error} loading={preview.isPending} what="the preview" />
        )}
      </section>
      <section className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900">
        <h3 className="border-b border-zinc-200 dark:border-zinc-800 px-4 py-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300">Storage jobs of this table</h3>
        {jobs.data ? <StorageJobsTable jobs={jobs.data} showTable={false} /> : <QueryState error={jobs.error} loading={jobs.isPending} what="Storage jobs" />}
      </section>
    </div>
  );
}
