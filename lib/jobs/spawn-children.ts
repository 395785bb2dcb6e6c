import "server-only";
import { type Db, isDatabaseUnavailable } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { createJob } from "@/lib/jobs/create-job";
import { settleContainer } from "@/lib/jobs/settle-containers";
import { cancelledData, finishJob } from "@/lib/jobs/transitions";
import { createJobSchema, type CreateJobInput } from "@/lib/schemas/jobs";

type Phase = { name: string; tasks: unknown[] };

/**
 * Expands a container into its children: an orchestration into one phase container per phase
 * (the scheduler holds phase N+1 until phase N ends), a phase into its tasks, a row container into
 * one job per configuration row. Idempotent: a container rerun after a crash keeps its children.
 */
export async function spawnChildren(options: { db: Db; job: Job; configuration: Record<string, unknown>; rowIds: string[] }): Promise<void> {
  const { db, job } = options;
  const existing = await db.job.count({ where: { projectId: job.projectId, parentRunId: job.runId } });
  if (existing === 0) {
    try {
      const children = plan(job, options.configuration, options.rowIds);
      for (const child of children) {
        await createJob({
          db,
          auth: { projectId: job.projectId, tokenId: job.tokenId },
          input: child.input,
          parentRunId: job.runId,
          type: child.type,
          phase: child.phase,
        });
      }
      await writeEvents({
        db,
        events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.children", component: job.component, message: `Created ${children.length} child job${children.length === 1 ? "" : "s"}` }],
      });
    } catch (error) {
      // An outage is not a bad plan: the container runs again once the database is back.
      if (isDatabaseUnavailable(error)) throw error;
      const message = error instanceof ApiError || error instanceof PlanError ? error.message : "Could not create the child jobs.";
      if (!(error instanceof ApiError || error instanceof PlanError)) console.error(`[worker] spawning children of job ${job.id}`, error);
      // Children made before the failure must not run under a failed parent.
      await db.job.updateMany({
        where: { projectId: job.projectId, parentRunId: job.runId, status: { in: ["created", "waiting"] } },
        data: { ...cancelledData(new Date()), desiredStatus: "terminating" },
      });
      await finishJob({ db, jobId: job.id, outcome: "fail", result: { message, error: { type: "user", message } } });
      if (job.parentRunId) await settleContainer({ db, projectId: job.projectId, runId: job.parentRunId });
      return;
    }
  }
  await db.job.updateMany({
    where: { id: job.id, status: { in: ["processing", "terminating"] } },
    data: { childrenSpawnedAt: new Date(), leaseExpiresAt: null, workerId: null },
  });
  await settleContainer({ db, projectId: job.projectId, runId: job.runId });
}

class PlanError extends Error {}

type ChildPlan = { input: CreateJobInput; type: "standard" | "phaseContainer"; phase?: number };

function plan(job: Job, configuration: Record<string, unknown>, rowIds: string[]): ChildPlan[] {
  const inherit = { mode: job.mode as CreateJobInput["mode"], ...(job.branchId !== "default" && { branchId: job.branchId }) };
  if (job.type === "orchestrationContainer") {
    const phases = configuration.phases;
    if (!Array.isArray(phases)) throw new PlanError('The orchestration configuration needs "phases": [{"name", "tasks": [...]}].');
    return phases.map((p: Phase, index) => ({
      input: {
        component: job.component,
        configData: { phase: String(p?.name ?? `Phase ${index + 1}`), tasks: Array.isArray(p?.tasks) ? p.tasks : [] },
        ...inherit,
        ...(job.onError && { behavior: { onError: job.onError as "stop" | "warning" } }),
      },
      type: "phaseContainer" as const,
      phase: index,
    }));
  }
  if (job.type === "phaseContainer") {
    const tasks = (configuration.tasks as unknown[] | undefined) ?? [];
    // A task the flow editor disabled (`"enabled": false`) is not run.
    return tasks.flatMap((task, i) => (isDisabledTask(task) ? [] : [{ input: taskInput(task, i, inherit), type: "standard" as const }]));
  }
  if (job.type === "container") {
    if (!job.config) throw new PlanError("A row container needs a configuration.");
    return rowIds.map((rowId) => ({
      input: { component: job.component, config: job.config!, configRowIds: [rowId], ...inherit, ...(job.backendSize && { backend: { size: job.backendSize as never } }) },
      type: "standard" as const,
    }));
  }
  return [];
}

/** A task is "component/config" or a job body such as `{"component": "…", "config": "…"}`. */
function isDisabledTask(task: unknown): boolean {
  return typeof task === "object" && task !== null && (task as { enabled?: unknown }).enabled === false;
}

/** `enabled` and `continueOnFailure` are the flow's, not the job's: a task that may fail runs with onError "warning". */
function taskInput(task: unknown, index: number, inherit: Pick<CreateJobInput, "mode" | "branchId">): CreateJobInput {
  const raw = typeof task === "string" ? { component: task.split("/")[0], config: task.split("/").slice(1).join("/") || undefined } : task;
  const body = { ...((typeof raw === "object" && raw !== null ? raw : { component: raw }) as Record<string, unknown>) };
  const continueOnFailure = body.continueOnFailure;
  delete body.enabled;
  delete body.continueOnFailure;
  if (continueOnFailure === true) body.behavior = { ...(body.behavior as object | undefined), onError: "warning" };
  const parsed = createJobSchema.safeParse({ ...inherit, ...body });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlanError(`Task ${index + 1} is not a valid job: ${issue?.path.join(".")} ${issue?.message}`.trim());
  }
  return parsed.data;
}
