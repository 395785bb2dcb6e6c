// The interface a component implements to run jobs. A component gets the job, its configuration
// and an AbortSignal, writes events through `log`, and answers what it read and wrote.
import type { EventType } from "@/lib/events/types";
import type { Db } from "@/lib/db";
import type { Job } from "@/lib/generated/prisma/client";
import type { JobResult, ProcessRun } from "@/lib/schemas/jobs";
import type { StorageClient } from "./storage-client";

export type ConfigurationRowInput = { id: string; name: string; configuration: Record<string, unknown> };

export type RunContext = {
  db: Db;
  job: Job;
  /** The stored configuration's body with the job's `configData` laid over it. */
  configuration: Record<string, unknown>;
  /** Enabled rows, narrowed to the job's `configRowIds` when it names some. */
  rows: ConfigurationRowInput[];
  /** Aborted when the job is terminated or the worker shuts down; stop promptly. */
  signal: AbortSignal;
  log(message: string, type?: EventType): Promise<void>;
  /** Storage through Storage jobs of this run; in debug mode writes become File snapshots. */
  storage: StorageClient;
};

type Tables = NonNullable<JobResult["input"]>["tables"];

export type RunResult = {
  outcome?: "succeed" | "warn";
  message?: string;
  input?: Tables;
  output?: Tables;
  usageData?: Record<string, unknown>;
  files?: NonNullable<JobResult["files"]>;
  processes?: ProcessRun[];
};

export type ComponentDefinition = {
  id: string;
  name: string;
  type: "extractor" | "writer" | "transformation" | "application" | "orchestrator" | "other";
  runtime: "sql" | "python" | "r" | null;
  description: string;
  /** Absent for orchestrators: their jobs are containers the engine expands into children. */
  run?: (ctx: RunContext) => Promise<RunResult>;
  /** true: on terminate the engine waits for `run` to end (it stops its processes and rejects with
   *  the signal's reason) instead of abandoning it, so the job ends only once they are gone. */
  stopsItself?: boolean;
};

/** A failure caused by the job's input or configuration (as opposed to a bug or an outage). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** A failure of the component's own code (exit code > 1, a crash): the user sees `message`, a
 *  generic text with a reference; `detail` is for the operator's log. */
export class ApplicationError extends Error {
  constructor(message: string, readonly detail: string) {
    super(message);
    this.name = "ApplicationError";
  }
}

/** What a run made before it failed (processes, files), kept on the failed job's result. */
export class RunFailure extends Error {
  constructor(readonly cause: unknown, readonly partial: Pick<RunResult, "processes" | "files" | "input" | "output">) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "RunFailure";
  }
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
