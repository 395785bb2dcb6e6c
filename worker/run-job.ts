import "server-only";
import { type Db, isDatabaseUnavailable } from "@/lib/db";
import { writeEvents, type EventType } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { settleContainer } from "@/lib/jobs/settle-containers";
import { spawnChildren } from "@/lib/jobs/spawn-children";
import { type EndEvent, type EndedRun, type JobOutcome, type RunEnd, applyJobEvent, finishRuns } from "@/lib/jobs/transitions";
import type { JobResult } from "@/lib/schemas/jobs";
import { findComponent } from "@/worker/components";
import { storageClient } from "@/worker/components/storage-client";
import { ApplicationError, type RunResult, RunFailure, UserError } from "@/worker/components/types";
import { findProcessComponent } from "@/worker/runtime/process-component";

/** Why a running job's AbortSignal fired. */
export type StopReason = "terminate" | "shutdown" | "lost";

export class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
  }
}

/**
 * Runs one claimed job to its end: a container is expanded into children; a standard job runs its
 * component with an AbortSignal, and its outcome (or the kill, the shutdown, the crash of the
 * component) is reported through the state machine. Never throws.
 */
export async function runJob(options: { db: Db; job: Job; workerId: string; controller: AbortController; finish?: FinishRun }): Promise<void> {
  const { db, job, controller } = options;
  const finish = options.finish ?? ((end: RunEnd) => finishRuns({ db, ends: [end], announce: announceEnd }).then(([ended]) => ended ?? null));
  const signal = controller.signal;
  const log = (message: string, type: EventType = "info") =>
    writeEvents({ db, events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.log", component: job.component, type, message }] });

  try {
    const { configuration, rowIds, rows } = await loadConfiguration(db, job);
    if (job.type !== "standard") {
      await spawnChildren({ db, job, configuration, rowIds });
      return;
    }
    // Its job.started event was written by the claim.
    const component = findComponent(job.component) ?? (await findProcessComponent({ db, projectId: job.projectId, componentId: job.component }));
    if (!component?.run) throw new UserError(`Component "${job.component}" has no runner on this Jobdeck.`);
    if (job.desiredStatus === "terminating") controller.abort(new StopSignal("terminate"));
    const stopped = () =>
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    // A component that ignores its signal is abandoned, not waited for: a kill ends the job now.
    const storage = storageClient(db, job, signal);
    const running = component.run({ db, job, configuration, rows, signal, log, storage });
    const result: RunResult = component.stopsItself ? await running : await Promise.race([running, stopped()]);
    const files = [...storage.snapshots, ...(result.files ?? [])];
    await report(finish, db, job, result.outcome ?? "succeed", {
      message: result.message,
      ...(result.input && { input: { tables: result.input } }),
      ...(result.output && { output: { tables: result.output } }),
      ...(files.length > 0 && { files }),
      ...(result.processes && { processes: result.processes }),
    }, result);
  } catch (caught) {
    // A run that failed after making something (processes ran, files were stored) keeps it on the result.
    const partial = caught instanceof RunFailure ? caught.partial : {};
    const error = caught instanceof RunFailure ? caught.cause : caught;
    const kept: JobResult = {
      ...(partial.files && partial.files.length > 0 && { files: partial.files }),
      ...(partial.processes && partial.processes.length > 0 && { processes: partial.processes }),
    };
    const stop = error instanceof StopSignal ? error : signal.aborted && signal.reason instanceof StopSignal ? signal.reason : null;
    if (stop?.reason === "lost") return;
    if (stop?.reason === "shutdown") {
      await applyJobEvent({ db, jobId: job.id, event: "requeue", data: () => ({ workerId: null, leaseExpiresAt: null, startTime: null }) });
      await log(`Worker ${options.workerId} shut down; the job is queued again`, "warn");
      return;
    }
    if (stop?.reason === "terminate") {
      await report(finish, db, job, "fail", { ...kept, message: "The job was terminated." });
      return;
    }
    // The database went away mid-job: not the job's fault, and nothing can be reported now. The lease
    // is no longer renewed, so recovery queues the job again once the database is back.
    if (isDatabaseUnavailable(error)) {
      console.error(`[worker] job ${job.id}: the database is unavailable; leaving it to be queued again`);
      return;
    }
    const userError = error instanceof UserError;
    if (error instanceof ApplicationError) console.error(`[worker] job ${job.id}: ${error.message}\n${error.detail}`);
    else if (!userError) console.error(`[worker] job ${job.id} failed`, error);
    const message = userError || error instanceof ApplicationError ? error.message : `Internal error while running the job: ${error instanceof Error ? error.message : String(error)}`;
    await report(finish, db, job, "fail", { ...kept, message, error: { type: userError ? "user" : "application", message } });
  } finally {
    if (job.parentRunId) await settleContainer({ db, projectId: job.projectId, runId: job.parentRunId }).catch((e) => console.error("[worker] settle", e));
  }
}

/** How a worker reports the end of a run: one at a time, or grouped (worker/group-commit.ts). */
export type FinishRun = (end: RunEnd) => Promise<EndedRun | null>;

/** The job.finished event, written in the statement that ends the job; a termination's waits for who asked. */
export const announceEnd: EndEvent = (end, ended) => {
  if (ended.status === "terminated") return null;
  const type: EventType = ended.status === "success" ? "success" : ended.status === "warning" ? "warn" : "error";
  return {
    event: "job.finished",
    type,
    message: `Job ${end.job.id} ended ${ended.status}${end.result?.message ? `: ${end.result.message}` : ""}`,
    results: { status: ended.status, durationSeconds: ended.durationSeconds, credits: ended.credits },
  };
};

async function report(finish: FinishRun, db: Db, job: Job, outcome: JobOutcome, result: JobResult, extra: Partial<RunResult> = {}) {
  const tables = (list?: { bytes?: number }[]) => (list ?? []).reduce((sum, t) => sum + (t.bytes ?? 0), 0);
  const ended = await finish({
    job,
    outcome,
    result,
    usageData: extra.usageData,
    inputTablesBytesSum: tables(result.input?.tables),
    outputTablesBytesSum: tables(result.output?.tables),
  });
  if (ended?.status !== "terminated") return;
  const kill = await db.jobEvent.findFirst({ where: { projectId: job.projectId, runId: job.runId, event: "job.terminate" }, orderBy: { id: "desc" } });
  const message = `Job ${job.id} terminated${kill?.description ? ` (${kill.description.replace(/^Requested/, "requested")})` : ""}`;
  await writeEvents({ db, events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.finished", component: job.component, type: "warn", message, results: { status: ended.status, durationSeconds: ended.durationSeconds, credits: ended.credits } }] });
}

async function loadConfiguration(db: Db, job: Job) {
  const stored = job.config
    ? await db.configuration.findUnique({
        where: { projectId_componentId_branchId_configId: { projectId: job.projectId, componentId: job.component, branchId: job.branchId, configId: job.config } },
        include: { rows: { where: { isDisabled: false }, orderBy: [{ sortOrder: "asc" }, { pk: "asc" }] } },
      })
    : null;
  const configuration = { ...((stored?.configuration as Record<string, unknown>) ?? {}), ...((job.configData as Record<string, unknown>) ?? {}) };
  const wanted = job.configRowIds.length > 0 ? new Set(job.configRowIds) : null;
  const rows = (stored?.rows ?? [])
    .filter((r) => !wanted || wanted.has(r.rowId))
    .map((r) => ({ id: r.rowId, name: r.name, configuration: (r.configuration as Record<string, unknown>) ?? {} }));
  return { configuration, rows, rowIds: rows.map((r) => r.id) };
}
