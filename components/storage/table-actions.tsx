"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { apiFetch } from "@/lib/queries/api-fetch";
import { storageKeys } from "@/lib/queries/storage";
import type { StorageJobJson } from "@/lib/schemas/storage";

const ACTIONS = { export: "export-async", snapshot: "snapshots" } as const;

async function start(tableId: string, action: keyof typeof ACTIONS): Promise<StorageJobJson> {
  return (await apiFetch<StorageJobJson>(`/api/v2/storage/tables/${encodeURIComponent(tableId)}/${ACTIONS[action]}`, { method: "POST" })).data;
}

/** Export or snapshot a table: each starts a Storage job, linked here once queued. */
export function TableActions({ tableId }: { tableId: string }) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (action: keyof typeof ACTIONS) => start(tableId, action),
    onSuccess: () => void client.invalidateQueries({ queryKey: storageKeys.all }),
  });
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" onClick={() => mutation.mutate("export")} disabled={mutation.isPending} className="rounded border border-zinc-300 dark:border-zinc-700 bg-white dark:bg-zinc-900 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60 disabled:opacity-50">
        Export to file
      </button>
      <button type="button" onClick={() => mutation.mutate("snapshot")} disabled={mutation.isPending} className="rounded border border-zinc-300 dark:border-zinc-700 bg-white dark:bg-zinc-900 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60 disabled:opacity-50">
        Create snapshot
      </button>
      {mutation.data && (
        <span className="text-sm text-zinc-600 dark:text-zinc-400">
          Started <Link href={`/storage/jobs/${mutation.data.id}`} className="text-indigo-700 dark:text-indigo-300 hover:underline">job {mutation.data.id}</Link>
        </span>
      )}
      {mutation.error && <span role="alert" className="text-sm text-red-700 dark:text-red-300">{mutation.error.message}</span>}
    </div>
  );
}
