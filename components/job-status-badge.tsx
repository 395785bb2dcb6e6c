import { isFinished, type JobStatus } from "@/lib/jobs/state";

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
    <span aria-hidden="true" className="status-dot">
      {live && <span className={`status-dot-ping ${STATUS_FILL[status]}`} />}
      <span className={`status-dot-core ${STATUS_FILL[status]}`} />
    </span>
  );
}

/**
 * The status as a word with colour and a dot (pulsing while the job can still change). Its colours
 * are `.status-badge[data-status]` in app/globals.css: one class here instead of a dozen per row.
 */
export function JobStatusBadge({ status, size = "sm" }: { status: JobStatus; size?: "sm" | "lg" }) {
  return (
    <span data-status={status} className={`status-badge status-badge-${size}`}>
      <StatusDot status={status} />
      {statusLabel(status)}
    </span>
  );
}
