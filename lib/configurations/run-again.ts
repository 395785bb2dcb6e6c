import "server-only";
// Run again: a new job with what an earlier one ran (component, configuration, rows, configData,
// mode, tag, backend, parallelism). Done on the server so that the earlier job's encrypted "#"
// values are reused as stored: the browser only ever sees them as "***".
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { badRequest } from "@/lib/errors";
import { createJob } from "@/lib/jobs/create-job";
import { parseJobId } from "@/lib/jobs/get-job";
import { notFound } from "@/lib/errors";
import type { Job } from "@/lib/generated/prisma/client";
import type { CreateJobInput, RunAgainScope } from "@/lib/schemas/jobs";
import { BACKEND_SIZES } from "@/lib/jobs/credits";

export async function runJobAgain(options: { db: Db; auth: Pick<AuthContext, "projectId" | "tokenId">; jobId: string; scope?: RunAgainScope }) {
  const { db, auth } = options;
  const job = await db.job.findFirst({ where: { projectId: auth.projectId, id: parseJobId(options.jobId) } });
  if (!job) throw notFound(`Job ${options.jobId.slice(0, 40)}`);
  if (options.scope === "orchestrationFromHere") return runOrchestrationFrom({ db, auth, task: job });
  // A phase exists only inside its orchestration; a task (a standard child) can run alone.
  if (job.type === "phaseContainer") {
    throw badRequest("notRunnableAlone", `Job ${job.id} is a phase of an orchestration; run the orchestration again, or one of its tasks.`);
  }
  return createJob({ db, auth, input: sameInput(job) });
}

/** What a job ran, as a new job's input. */
function sameInput(job: Job): CreateJobInput {
  const size = BACKEND_SIZES.find((s) => s === job.backendSize);
  return {
    component: job.component,
    mode: job.mode as CreateJobInput["mode"],
    ...(job.config !== null && { config: job.config }),
    ...(job.configData !== null && { configData: job.configData as Record<string, unknown> }),
    ...(job.configRowIds.length > 0 && { configRowIds: job.configRowIds }),
    ...(job.tag !== null && { tag: job.tag }),
    ...(job.branchId !== "default" && { branchId: job.branchId }),
    ...(size && { backend: { size } }),
    ...(job.parallelism !== null && { parallelism: job.parallelism }),
    ...(job.onError === "stop" || job.onError === "warning" ? { behavior: { onError: job.onError } } : {}),
  };
}

/**
 * The orchestration a task belongs to, run again from the task's phase: that phase (all its tasks,
 * which run side by side) and every one after it, as they ran then (each phase job keeps its name
 * and tasks), the phases before it left out. Everything else as the orchestration ran.
 */
async function runOrchestrationFrom(options: { db: Db; auth: Pick<AuthContext, "projectId" | "tokenId">; task: Job }) {
  const { db, auth, task } = options;
  const notInOrchestration = () => badRequest("notInOrchestration", `Job ${task.id} is not a task of an orchestration; run it again alone.`);
  if (task.type !== "standard" || task.parentRunId === null) throw notInOrchestration();
  const phase = await db.job.findFirst({ where: { projectId: auth.projectId, runId: task.parentRunId } });
  if (phase?.type !== "phaseContainer" || phase.parentRunId === null || phase.phase === null) throw notInOrchestration();
  const orchestration = await db.job.findFirst({ where: { projectId: auth.projectId, runId: phase.parentRunId, type: "orchestrationContainer" } });
  if (!orchestration) throw notInOrchestration();
  const phases = await db.job.findMany({
    where: { projectId: auth.projectId, parentRunId: orchestration.runId, type: "phaseContainer", phase: { gte: phase.phase } },
    orderBy: { phase: "asc" },
    select: { configData: true },
  });
  const input = sameInput(orchestration);
  const ran = phases.map(({ configData }) => {
    const data = (configData ?? {}) as { phase?: unknown; tasks?: unknown };
    return { name: String(data.phase ?? ""), tasks: Array.isArray(data.tasks) ? data.tasks : [] };
  });
  return createJob({ db, auth, input: { ...input, configData: { ...input.configData, phases: ran } } });
}
