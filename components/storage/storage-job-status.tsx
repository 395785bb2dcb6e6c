import type { StorageJobStatus } from "@/lib/storage/jobs/state";

const STYLES: Record<StorageJobStatus, string> = {
  waiting: "bg-zinc-100 dark:bg-zinc-800 text-zinc-700 dark:text-zinc-300 ring-zinc-300 dark:ring-zinc-700",
  processing: "bg-amber-50 dark:bg-amber-950/50 text-amber-800 dark:text-amber-200 ring-amber-300",
  success: "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-800 dark:text-emerald-200 ring-emerald-300",
  error: "bg-red-50 dark:bg-red-950/50 text-red-800 dark:text-red-200 ring-red-300",
};

const LABELS: Record<StorageJobStatus, string> = { waiting: "Waiting", processing: "Processing", success: "Success", error: "Error" };

export function StorageJobStatusBadge({ status }: { status: StorageJobStatus }) {
  return (
    <span data-status={status} className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}>
      {status === "processing" && <span aria-hidden className="mr-1.5 h-1.5 w-1.5 animate-pulse rounded-full bg-amber-500" />}
      {LABELS[status]}
    </span>
  );
}
