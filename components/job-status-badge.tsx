import { isFinished, type JobStatus } from "@/lib/jobs/state";

const STATUS_STYLE: Record<JobStatus, string> = {
  created: "bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700",
  waiting: "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
  processing: "bg-blue-50 text-blue-800 ring-blue-300 dark:bg-blue-950 dark:text-blue-300 dark:ring-blue-800",
  terminating: "bg-orange-50 text-orange-800 ring-orange-300 dark:bg-orange-950 dark:text-orange-300 dark:ring-orange-800",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  warning: "bg-yellow-50 text-yellow-800 ring-yellow-400 dark:bg-yellow-950 dark:text-yellow-300 dark:ring-yellow-700",
  error: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
  cancelled: "bg-zinc-50 text-zinc-600 ring-zinc-300 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-700",
  terminated: "bg-rose-50 text-rose-800 ring-rose-300 dark:bg-rose-950 dark:text-rose-300 dark:ring-rose-800",
};

/** The status as a solid colour (dots, timeline bars). */
export const STATUS_FILL: Record<JobStatus, string> = {
  created: "bg-zinc-400",
  waiting: "bg-amber-500",
  processing: "bg-blue-500",
  terminating: "bg-orange-500",
  success: "bg-emerald-500",
  warning: "bg-yellow-500",
  error: "bg-red-500",
  cancelled: "bg-zinc-400",
  terminated: "bg-rose-500",
};

export function statusLabel(status: JobStatus): string {
  return status[0]!.toUpperCase() + status.slice(1);
}

export function StatusDot({ status }: { status: JobStatus }) {
  const live = !isFinished(status);
  return (
    <span aria-hidden="true" className="relative inline-flex size-2">
      {live && <span className={`absolute inline-flex size-full animate-ping rounded-full opacity-60 motion-reduce:hidden ${STATUS_FILL[status]}`} />}
      <span className={`relative inline-flex size-2 rounded-full ${STATUS_FILL[status]}`} />
    </span>
  );
}

/** The status as a word with colour and a dot (pulsing while the job can still change). */
export function JobStatusBadge({ status, size = "sm" }: { status: JobStatus; size?: "sm" | "lg" }) {
  const padding = size === "lg" ? "px-2.5 py-1 text-sm" : "px-2 py-0.5 text-xs";
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full font-medium ring-1 ring-inset ${padding} ${STATUS_STYLE[status]}`}
    >
      <StatusDot status={status} />
      {statusLabel(status)}
    </span>
  );
}
