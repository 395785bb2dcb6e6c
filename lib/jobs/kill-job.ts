import "server-only";
import type { Db } from "@/lib/db";
import { badRequest, notFound } from "@/lib/errors";
import { writeEvents } from "@/lib/events/write-event";
import { parseJobId } from "@/lib/jobs/get-job";
import { type JobStatus, isKillable, nextStatus, statusesAllowing } from "@/lib/jobs/state";
import { publishKill } from "@/lib/jobs/kill-signal";
import { settleContainer, settleSubtree } from "@/lib/jobs/settle-containers";
import { applyJobEvent, cancelledData } from "@/lib/jobs/transitions";

/**
 * POST /jobs/{id}/kill. A job that never started is cancelled at once; a processing one is asked
 * to stop (`terminating`) and its worker ends it as `terminated`. Every descendant goes the same way.
 */
export async function killJob(options: {
  db: Db;
  projectId: number;
  id: string;
  killedBy?: string;
  now?: Date;
}): Promise<{ jobId: bigint; descendantsKilled: number }> {
  const { db, projectId } = options;
  const now = options.now ?? new Date();
  const id = parseJobId(options.id);
  const job = await db.job.findFirst({ where: { id, projectId } });
  if (!job) throw notFound(`Job ${options.id}`);
  if (!isKillable(job.status as JobStatus)) {
    throw badRequest("jobNotKillable", `Job ${job.id} is already ${job.status} and cannot be terminated.`);
  }

  // The kill, its descendants' and the event saying who asked commit together: a worker that hears
  // of the kill (by the kill bus or by its lease) always finds who asked when it ends the job.
  const outcome = await db.$transaction(async (tx) => {
    const killed = await applyJobEvent({ db: tx, jobId: id, event: "kill", data: (_, next) => killData(next, now) });
    if (!killed) return null;
    // Descendants, set-based: one conditional update per source status keeps each move legal.
    const subtree = { projectId, rootRunId: job.rootRunId, runId: { startsWith: `${job.runId}.` } };
    let descendantsKilled = 0;
    for (const from of statusesAllowing("kill")) {
      const to = nextStatus(from, "kill")!;
      const { count } = await tx.job.updateMany({ where: { ...subtree, status: from }, data: killData(to, now) });
      descendantsKilled += count;
    }
    await writeEvents({
      db: tx,
      events: [
        {
          projectId,
          jobId: killed.id,
          runId: killed.runId,
          event: "job.terminate",
          component: killed.component,
          type: "warn",
          message:
            killed.status === "cancelled"
              ? `Job ${killed.id} was cancelled before it started`
              : `Termination of job ${killed.id} requested`,
          description: options.killedBy ? `Requested by ${options.killedBy}` : "",
          params: { descendants: descendantsKilled },
          created: now,
        },
      ],
    });
    return { killed, descendantsKilled };
  });
  if (!outcome) {
    const latest = await db.job.findUnique({ where: { id }, select: { status: true } });
    throw badRequest("jobNotKillable", `Job ${job.id} is already ${latest?.status ?? "finished"} and cannot be terminated.`);
  }
  const { killed, descendantsKilled } = outcome;

  // Workers of the jobs now `terminating` hear it at once; containers with nothing left running end.
  const stopping = await db.job.findMany({
    where: { projectId, rootRunId: job.rootRunId, status: "terminating", OR: [{ id }, { runId: { startsWith: `${job.runId}.` } }] },
    select: { id: true },
  });
  await publishKill(db, stopping.map((j) => j.id));
  await settleSubtree({ db, projectId, runId: job.runId });
  if (killed.parentRunId) await settleContainer({ db, projectId, runId: killed.parentRunId });
  return { jobId: id, descendantsKilled };
}

function killData(next: JobStatus, now: Date) {
  return {
    status: next,
    desiredStatus: "terminating",
    ...(next === "cancelled" ? cancelledData(now) : {}),
  };
}
