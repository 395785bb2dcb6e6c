import type { JobJson } from "@/lib/schemas/jobs";

type WaitReason = NonNullable<JobJson["waiting"]>["reason"];

const REASONS: Record<WaitReason, { title: string; next: string }> = {
  configLock: {
    title: "Its configuration is locked",
    next: "It starts by itself when the job already running this configuration finishes.",
  },
  projectLimit: {
    title: "The project runs as many jobs as it may",
    next: "It starts by itself when one of the project's processing jobs finishes.",
  },
  phase: {
    title: "An earlier orchestration phase has not finished",
    next: "It starts by itself when the phase before it finishes successfully.",
  },
  parallelism: {
    title: "Its container's parallelism is reached",
    next: "It starts by itself when one of its sibling jobs finishes.",
  },
};

/** The answer Keboola never gives: why a job is waiting, and what will let it run. */
export function WaitingPanel({ waiting }: { waiting: NonNullable<JobJson["waiting"]> }) {
  const reason = REASONS[waiting.reason];
  return (
    <section
      aria-labelledby="waiting-title"
      className="rounded-xl border border-amber-300 bg-amber-50 p-4 text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
    >
      <div className="flex gap-3">
        <svg aria-hidden="true" viewBox="0 0 24 24" className="mt-0.5 size-5 shrink-0 text-amber-600 dark:text-amber-400" fill="none" stroke="currentColor" strokeWidth="2">
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v5l3 2" />
        </svg>
        <div className="space-y-1">
          <h2 id="waiting-title" className="font-semibold">
            Why is this job waiting?
          </h2>
          <p className="font-medium" data-testid="waiting-reason">
            {reason.title}.
          </p>
          <p data-testid="waiting-message">{waiting.message}</p>
          <p className="text-sm text-amber-800 dark:text-amber-300">{reason.next}</p>
        </div>
      </div>
    </section>
  );
}

/** A `created` job is queued for platform reasons only: no worker has picked it up yet. */
export function QueuedNote() {
  return (
    <p className="rounded-xl border border-zinc-200 bg-zinc-50 p-4 text-sm text-zinc-700 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300">
      <span className="font-semibold">Queued.</span> Nothing in the project holds this job back; it starts as soon as a worker is free.
    </p>
  );
}
