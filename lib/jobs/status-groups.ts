// The jobs list's tabs: statuses grouped the way people ask about them ("what is running?",
// "what is waiting?", "what failed?"). Built from state.ts, which alone knows what is final.
import { JOB_STATUSES, type JobStatus, UNFINISHED_STATUSES } from "@/lib/jobs/state";

export const STATUS_GROUPS = ["all", "running", "waiting", "failed"] as const;
export type StatusGroup = (typeof STATUS_GROUPS)[number];

/** Not started yet: queued for a worker (created) or held back by the project (waiting). */
const NOT_STARTED: readonly JobStatus[] = ["created", "waiting"];

export const STATUS_GROUP_MEMBERS: Record<StatusGroup, readonly JobStatus[]> = {
  all: JOB_STATUSES,
  running: UNFINISHED_STATUSES.filter((s) => !NOT_STARTED.includes(s)),
  waiting: NOT_STARTED,
  failed: ["error"],
};

/** Totals per group from per-status counts. */
export function countByGroup(byStatus: Partial<Record<JobStatus, number>>): Record<StatusGroup, number> {
  const sum = (statuses: readonly JobStatus[]) => statuses.reduce((total, s) => total + (byStatus[s] ?? 0), 0);
  return { all: sum(STATUS_GROUP_MEMBERS.all), running: sum(STATUS_GROUP_MEMBERS.running), waiting: sum(STATUS_GROUP_MEMBERS.waiting), failed: sum(STATUS_GROUP_MEMBERS.failed) };
}

/** The group whose statuses are exactly `statuses` (no status filter is "all"), or null. */
export function groupOfStatuses(statuses: readonly JobStatus[]): StatusGroup | null {
  if (statuses.length === 0) return "all";
  const match = STATUS_GROUPS.find((g) => {
    const members = STATUS_GROUP_MEMBERS[g];
    return g !== "all" && members.length === statuses.length && members.every((s) => statuses.includes(s));
  });
  return match ?? null;
}
