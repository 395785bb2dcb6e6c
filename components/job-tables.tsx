import { formatBytes, plural } from "@/components/format";
import type { JobResult } from "@/lib/schemas/jobs";

type StorageTable = NonNullable<JobResult["input"]>["tables"][number];

/** Tables a job read from Storage (exported) or wrote into it (imported), with columns and size. */
export function JobTablesList({ tables, emptyText }: { tables: readonly StorageTable[]; emptyText: string }) {
  if (tables.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">{emptyText}</p>;
  return (
    <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
      {tables.map((table) => (
        <li key={table.id} className="py-2.5 first:pt-0 last:pb-0">
          <div className="flex items-baseline justify-between gap-3">
            <span className="min-w-0 break-all font-mono text-sm text-zinc-900 dark:text-zinc-100">{table.id}</span>
            <span className="shrink-0 text-xs tabular-nums text-zinc-500 dark:text-zinc-400">{formatBytes(table.bytes)}</span>
          </div>
          <details className="group mt-1">
            <summary className="cursor-pointer list-none text-xs text-zinc-500 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200">
              <span aria-hidden="true" className="mr-1 inline-block transition-transform group-open:rotate-90">
                ▸
              </span>
              {plural(table.columns.length, "column")}
            </summary>
            <ul className="mt-1.5 flex flex-wrap gap-1" aria-label={`Columns of ${table.displayName}`}>
              {table.columns.map((column) => (
                <li key={column.name} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
                  {column.name}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ))}
    </ul>
  );
}
