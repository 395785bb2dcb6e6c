// Who may run now: the one place that decides whether a queued job starts or waits, and why.
// Pure: the claim (lib/jobs/claim-jobs.ts) loads the facts under a per-project lock and asks here.

import type { WAIT_REASONS } from "@/lib/schemas/jobs";

export type WaitReason = (typeof WAIT_REASONS)[number];

export type QueuedJob = {
  id: bigint;
  type: string;
  component: string;
  componentType: string;
  config: string | null;
  branchId: string;
  tokenId: number;
  phase: number | null;
  parentRunId: string | null;
};

/** A job that holds a slot: `processing` or `terminating`. */
export type RunningJob = Pick<QueuedJob, "id" | "type" | "component" | "config" | "branchId" | "tokenId" | "parentRunId"> & {
  parentType: string | null;
};

export type ParentFacts = {
  runId: string;
  type: string;
  status: string;
  parallelism: string | null;
};

export type ProjectFacts = {
  maxProcessingJobs: number;
  /** Jobs of the project that count toward its limit and hold a slot. */
  processing: number;
  /** The jobs holding a slot that can stand in a queued job's way: same configuration, or same parent. */
  running: RunningJob[];
  /** Parents of the queued jobs, by runId. */
  parents: Map<string, ParentFacts>;
  /** For each phaseContainer parent runId: the phases of its children that have not finished. */
  unfinishedPhases: Map<string, number[]>;
};

export type Decision = { run: true } | { run: false; reason: WaitReason; detail: string };

/** Jobs that do the work count against the project limit; containers only wait for children. */
export const TYPES_COUNTED_TOWARD_LIMIT: readonly string[] = ["standard"];

export function countsTowardProjectLimit(type: string): boolean {
  return TYPES_COUNTED_TOWARD_LIMIT.includes(type);
}

/** Children of a row container run the container's configuration: they share its lock. */
function holdsConfigLock(job: { type: string; config: string | null }, parentType: string | null): boolean {
  return job.config !== null && parentType !== "container" && (job.type === "standard" || job.type === "container");
}

export function decide(job: QueuedJob, facts: ProjectFacts): Decision {
  const parent = job.parentRunId ? facts.parents.get(job.parentRunId) : undefined;

  if (countsTowardProjectLimit(job.type)) {
    const busy = facts.processing;
    if (busy >= facts.maxProcessingJobs) {
      return { run: false, reason: "projectLimit", detail: `${busy} of ${facts.maxProcessingJobs} jobs of this project are processing.` };
    }
  }

  if (holdsConfigLock(job, parent?.type ?? null)) {
    const holder = facts.running.find(
      (r) =>
        holdsConfigLock(r, r.parentType) &&
        r.component === job.component &&
        r.config === job.config &&
        r.branchId === job.branchId &&
        // Transformations may run the same configuration at once under different tokens.
        !(job.componentType === "transformation" && r.tokenId !== job.tokenId),
    );
    if (holder) {
      return { run: false, reason: "configLock", detail: `Job ${holder.id} is already processing this configuration.` };
    }
  }

  if (job.type === "phaseContainer" && job.parentRunId && job.phase !== null) {
    const earlier = (facts.unfinishedPhases.get(job.parentRunId) ?? []).filter((p) => p < job.phase!);
    if (earlier.length > 0) {
      return { run: false, reason: "phase", detail: `Phase ${Math.min(...earlier) + 1} of the orchestration has not finished yet.` };
    }
  }

  if (parent?.type === "container" && parent.parallelism && parent.parallelism !== "infinity") {
    const limit = Number(parent.parallelism);
    const siblings = facts.running.filter((r) => r.parentRunId === job.parentRunId).length;
    if (siblings >= limit) {
      return { run: false, reason: "parallelism", detail: `${siblings} of ${limit} rows of the container are processing (parallelism ${limit}).` };
    }
  }

  return { run: true };
}

