"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { bucketsQuery, tablesQuery } from "@/lib/queries/storage";
import type { TableJson } from "@/lib/schemas/storage";
import { formatCount } from "@/components/storage/format";
import { QueryState } from "@/components/storage/query-state";
import { tableHref } from "@/components/storage/storage-jobs-table";
import { TableDetail } from "@/components/storage/table-detail";

/** The Tables tab: buckets and their tables on the left, the chosen table on the right. */
export function TablesView({ selected }: { selected?: string }) {
  const buckets = useQuery(bucketsQuery());
  const tables = useQuery(tablesQuery());
  const byBucket = new Map<string, TableJson[]>();
  for (const table of tables.data ?? []) byBucket.set(table.bucket.id, [...(byBucket.get(table.bucket.id) ?? []), table]);
  return (
    <div className="grid gap-4 md:grid-cols-[16rem_minmax(0,1fr)]">
      <aside className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900 p-2" aria-label="Buckets and tables">
        {buckets.data && tables.data ? (
          buckets.data.length === 0 ? (
            <p className="p-3 text-sm text-zinc-500 dark:text-zinc-400">No buckets yet. Create one with <code className="text-xs">POST /api/v2/storage/buckets</code>.</p>
          ) : (
            <ul className="space-y-2">
              {buckets.data.map((bucket) => (
                <li key={bucket.id}>
                  <p className="px-2 py-1 text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{bucket.id}</p>
                  <ul>
                    {(byBucket.get(bucket.id) ?? []).map((table) => (
                      <li key={table.id}>
                        <Link
                          href={tableHref(table.id)}
                          aria-current={table.id === selected ? "page" : undefined}
                          className={`flex items-center justify-between gap-2 rounded px-2 py-1.5 text-sm ${table.id === selected ? "bg-indigo-50 dark:bg-indigo-950 font-medium text-indigo-800 dark:text-indigo-200" : "text-zinc-700 dark:text-zinc-300 hover:bg-zinc-50 dark:hover:bg-zinc-800/60"}`}
                        >
                          <span className="truncate">{table.name}</span>
                          <span className="shrink-0 text-xs tabular-nums text-zinc-500 dark:text-zinc-400">{formatCount(table.rowsCount)}</span>
                        </Link>
                      </li>
                    ))}
                    {(byBucket.get(bucket.id) ?? []).length === 0 && <li className="px-2 py-1 text-xs text-zinc-400 dark:text-zinc-500">No tables</li>}
                  </ul>
                </li>
              ))}
            </ul>
          )
        ) : (
          <QueryState error={buckets.error ?? tables.error} loading={buckets.isPending || tables.isPending} what="buckets" />
        )}
      </aside>
      <div className="min-w-0">
        {selected ? <TableDetail tableId={selected} /> : <p className="rounded-lg border border-dashed border-zinc-300 dark:border-zinc-700 p-6 text-sm text-zinc-500 dark:text-zinc-400">Choose a table to see its columns, rows and Storage jobs.</p>}
      </div>
    </div>
  );
}
