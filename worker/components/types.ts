// The interface a component implements to run jobs. A component gets the job, its configuration
// and an AbortSignal, writes events through `log`, and answers what it read and wrote.
import type { EventType } from "@/lib/events/types";
import type { Job } from "@/lib/generated/prisma/client";
import type { JobResult } from "@/lib/schemas/jobs";
import type { StorageClient } from "./storage-client";

export type ConfigurationRowInput = { id: string; name: string; configuration: Record<string, unknown> };

export type RunContext = {
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
};

export type ComponentDefinition = {
  id: string;
  name: string;
  type: "extractor" | "writer" | "transformation" | "application" | "orchestrator" | "other";
  runtime: "sql" | "python" | "r" | null;
  description: string;
  /** Absent for orchestrators: their jobs are containers the engine expands into children. */
  run?: (ctx: RunContext) => Promise<RunResult>;
};

/** A failure caused by the job's input or configuration (as opposed to a bug or an outage). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
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
