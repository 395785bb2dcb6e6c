import { Link } from "@/components/link";
import type { StorageJobJson } from "@/lib/schemas/storage";
import { formatBytes, formatDuration, formatTime } from "@/components/storage/format";
import { StorageJobStatusBadge } from "@/components/storage/storage-job-status";

export const tableHref = (tableId: string) => `/storage/tables?table=${encodeURIComponent(tableId)}`;

/** Storage jobs as rows: ID, operation, table, status, duration, data transfer, created, creator. */
export function StorageJobsTable({ jobs, showTable = true }: { jobs: StorageJobJson[]; showTable?: boolean }) {
  if (jobs.length === 0) return <p className="p-6 text-center text-sm text-zinc-500 dark:text-zinc-400">No Storage jobs yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-zinc-200 dark:border-zinc-800 text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
          <tr>
            <th className="px-3 py-2 font-medium">ID</th>
            <th className="px-3 py-2 font-medium">Operation</th>
            {showTable && <th className="hidden px-3 py-2 font-medium md:table-cell">Table</th>}
            <th className="px-3 py-2 font-medium">Status</th>
            <th className="hidden px-3 py-2 font-medium sm:table-cell">Duration</th>
            <th className="hidden px-3 py-2 font-medium lg:table-cell">Data transfer</th>
            <th className="hidden px-3 py-2 font-medium md:table-cell">Created</th>
            <th className="hidden px-3 py-2 font-medium lg:table-cell">Creator</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {jobs.map((job) => (
            <tr key={job.id} data-job-id={job.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
              <td className="px-3 py-2 font-mono text-xs">
                <Link href={`/storage/jobs/${job.id}`} className="text-indigo-700 dark:text-indigo-300 hover:underline">{job.id}</Link>
              </td>
              <td className="px-3 py-2">
                {job.operationName}
                {showTable && job.tableId && <span className="block max-w-[10rem] truncate text-xs text-zinc-500 dark:text-zinc-400 md:hidden">{job.tableId}</span>}
              </td>
              {showTable && (
                <td className="hidden max-w-xs truncate px-3 py-2 md:table-cell">
                  {job.tableId ? <Link href={tableHref(job.tableId)} className="text-indigo-700 dark:text-indigo-300 hover:underline">{job.tableId}</Link> : <span className="text-zinc-400 dark:text-zinc-500">—</span>}
                </td>
              )}
              <td className="px-3 py-2"><StorageJobStatusBadge status={job.status} /></td>
              <td className="hidden px-3 py-2 tabular-nums sm:table-cell">{formatDuration(job.durationSeconds)}</td>
              <td className="hidden px-3 py-2 tabular-nums lg:table-cell">{formatBytes(job.metrics.inBytes + job.metrics.outBytes)}</td>
              <td className="hidden whitespace-nowrap px-3 py-2 tabular-nums md:table-cell">{formatTime(job.createdTime)}</td>
              <td className="hidden max-w-[12rem] truncate px-3 py-2 lg:table-cell">{job.creatorToken.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
