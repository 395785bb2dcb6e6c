import type { ScheduleJson } from "@/lib/schemas/schedules";

/** Enabled, Paused or Broken (its target cannot run: every slot is recorded as failed). */
export function ScheduleStateBadge({ schedule }: { schedule: Pick<ScheduleJson, "broken" | "schedule"> }) {
  const [label, style] = schedule.broken
    ? ["Broken", "bg-red-50 text-red-800 ring-red-200 dark:bg-red-950/60 dark:text-red-200 dark:ring-red-900"]
    : schedule.schedule.state === "enabled"
      ? ["Enabled", "bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-950/60 dark:text-emerald-200 dark:ring-emerald-900"]
      : ["Paused", "bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700"];
  return (
    <span data-testid="schedule-state" className={`inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}>
      {label}
    </span>
  );
}
