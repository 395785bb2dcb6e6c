"use client";

import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { scheduleForTokenQueryOptions } from "@/lib/queries/schedules";

/** "Scheduled by <schedule>" on a job made under a schedule's token (it and its child jobs); nothing otherwise. */
export function ScheduleJobLink({ tokenId }: { tokenId: string }) {
  const schedule = useQuery(scheduleForTokenQueryOptions(tokenId));
  if (!schedule.data) return null;
  return (
    <span className="mt-1 block text-xs" data-testid="scheduled-by">
      <span className="inline-flex items-center rounded-full bg-indigo-50 px-2 py-0.5 font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-900">Scheduled</span>{" "}
      <Link href={`/schedules/${schedule.data.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
        {schedule.data.name}
      </Link>
    </span>
  );
}
