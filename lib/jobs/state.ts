// The job state machine: the one place that knows statuses, which are final or killable,
// and which transition is legal. The API, the worker, the scheduler and the UI all ask here.

export const JOB_STATUSES = [
  "created",
  "waiting",
  "processing",
  "success",
  "error",
  "warning",
  "terminating",
  "cancelled",
  "terminated",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINAL_STATUSES = ["success", "warning", "error", "cancelled", "terminated"] as const satisfies readonly JobStatus[];
export const KILLABLE_STATUSES = ["created", "waiting", "processing"] as const satisfies readonly JobStatus[];
/** Statuses of jobs that have not finished, as the UI groups them ("running"). */
export const UNFINISHED_STATUSES = JOB_STATUSES.filter((s) => !(FINAL_STATUSES as readonly string[]).includes(s));

export const DESIRED_STATUSES = ["processing", "terminating"] as const;
export type DesiredStatus = (typeof DESIRED_STATUSES)[number];

export const JOB_EVENTS = ["wait", "start", "succeed", "warn", "fail", "kill", "requeue"] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}
export function isFinished(status: JobStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
export function isKillable(status: JobStatus): boolean {
  return (KILLABLE_STATUSES as readonly string[]).includes(status);
}
export function isSuccess(status: JobStatus): boolean {
  return status === "success";
}

/**
 * Where `event` takes a job in `status`, or null when the event is not legal there.
 * - wait: the scheduler holds a created job for a project-side reason.
 * - start: a worker begins processing (from created, or from waiting once the reason clears).
 * - succeed / warn / fail: the work ended; a job being terminated ends `terminated` whatever its outcome.
 * - kill: before it started → cancelled at once; while processing → terminating.
 * - requeue: a worker died; the job goes back to created, unless it was being terminated.
 */
export function nextStatus(status: JobStatus, event: JobEvent): JobStatus | null {
  switch (event) {
    case "wait":
      return status === "created" || status === "waiting" ? "waiting" : null;
    case "start":
      return status === "created" || status === "waiting" ? "processing" : null;
    case "succeed":
    case "warn":
    case "fail":
      if (status === "terminating") return "terminated";
      if (status !== "processing") return null;
      return event === "succeed" ? "success" : event === "warn" ? "warning" : "error";
    case "kill":
      if (status === "created" || status === "waiting") return "cancelled";
      if (status === "processing") return "terminating";
      return null;
    case "requeue":
      if (status === "processing") return "created";
      if (status === "terminating") return "terminated";
      return null;
  }
}

/** The statuses from which `event` is legal: the WHERE clause of a conditional update. */
export function statusesAllowing(event: JobEvent): JobStatus[] {
  return JOB_STATUSES.filter((s) => nextStatus(s, event) !== null);
}

/**
 * Every legal move of `event` as `[from, to]` pairs: what a set-based conditional update joins on
 * (`WHERE status = from`, `SET status = to`), so SQL that moves many jobs at once asks here too.
 */
export function movesFor(event: JobEvent): { from: JobStatus[]; to: JobStatus[] } {
  const from = statusesAllowing(event);
  return { from, to: from.map((s) => nextStatus(s, event)!) };
}

/** How a job runs: as configured, even when its configuration is disabled, or with debug snapshots. */
export const JOB_MODES = ["run", "forceRun", "debug"] as const;
