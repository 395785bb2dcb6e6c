import "server-only";
import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { claimJobs } from "@/lib/jobs/claim-jobs";
import { onKill, onWork } from "@/lib/jobs/kill-signal";
import { recoverLostJobs } from "@/lib/jobs/recover-jobs";
import { groupCommit } from "@/worker/group-commit";
import { StopSignal, runJob } from "@/worker/run-job";

export type WorkerOptions = {
  db: Db;
  concurrency: number;
  workerId?: string;
  /** How long a claim lasts without a heartbeat before other workers take the job back. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** Longest sleep when idle; new work and kills wake the loop at once. */
  idlePollMs?: number;
  recoveryEveryMs?: number;
  maxAttempts?: number;
  log?: (line: string) => void;
};

export type WorkerHandle = {
  id: string;
  running(): number;
  /** Stops claiming, waits up to `graceMs` for running jobs, then hands the rest back to the queue. */
  stop(options?: { graceMs?: number }): Promise<void>;
};

type Running = { controller: AbortController; done: Promise<void> };

/**
 * The job runner: claims what the scheduler allows, runs up to `concurrency` jobs, renews their
 * leases, stops a job the moment it is asked to terminate, and takes back jobs of dead workers.
 */
export function startWorker(options: WorkerOptions): WorkerHandle {
  const { db, concurrency } = options;
  const id = options.workerId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const leaseMs = options.leaseMs ?? 15_000;
  const heartbeatMs = options.heartbeatMs ?? Math.min(2_000, Math.floor(leaseMs / 3));
  const idlePollMs = options.idlePollMs ?? 1_000;
  const recoveryEveryMs = options.recoveryEveryMs ?? 2_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const log = options.log ?? ((line: string) => console.log(`[worker ${id}] ${line}`));
  const running = new Map<string, Running>();
  let stopping = false;
  let wake: (() => void) | null = null;
  // A nudge while the loop is busy (claiming) is remembered, so the loop looks again at once.
  let nudged = false;
  const nudge = () => {
    nudged = true;
    wake?.();
  };
  const finish = groupCommit(db);

  const stopJobs = (ids: string[], reason: StopSignal["reason"]) => {
    for (const jobId of ids) running.get(jobId)?.controller.abort(new StopSignal(reason));
  };
  const offKill = onKill((ids) => stopJobs(ids, "terminate"));
  const offWork = onWork(nudge);

  // One query renews every lease this worker holds and tells which jobs were asked to stop.
  const heartbeat = async () => {
    const ids = [...running.keys()].map((k) => BigInt(k));
    const now = new Date();
    const alive = await db.$queryRaw<{ id: bigint; desiredStatus: string }[]>`
      WITH registered AS (
        INSERT INTO "Worker" (id, hostname, pid, concurrency, "heartbeatAt") VALUES (${id}, ${os.hostname()}, ${process.pid}, ${concurrency}, ${now})
        ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = EXCLUDED."heartbeatAt")
      UPDATE "Job" SET "leaseExpiresAt" = ${new Date(now.getTime() + leaseMs)}, "heartbeatAt" = ${now}
      WHERE id = ANY(${ids}::bigint[]) AND "workerId" = ${id} AND status IN ('processing', 'terminating')
      RETURNING id, "desiredStatus"`;
    const aliveIds = new Set(alive.map((a) => a.id.toString()));
    stopJobs(alive.filter((a) => a.desiredStatus === "terminating").map((a) => a.id.toString()), "terminate");
    // Leased jobs no longer ours (taken back after a long pause): stop without reporting.
    stopJobs([...leased].filter((k) => !aliveIds.has(k) && !running.get(k)?.controller.signal.aborted), "lost");
  };
  // Standard jobs hold a lease while they run; containers give theirs up once their children exist.
  const leased = new Set<string>();
  // A long gap between renewals eats into the leases (the process or its database was held up):
  // say so, it is what comes before a job is taken back from a live worker.
  let lastRenewal = Date.now();
  const renew = async () => {
    try {
      await heartbeat();
    } catch (e) {
      log(`heartbeat failed: ${message(e)}`);
      return;
    }
    const gap = Date.now() - lastRenewal;
    lastRenewal += gap;
    if (gap > 2 * heartbeatMs) log(`leases renewed ${gap} ms after the last renewal (due every ${heartbeatMs} ms; a lease lasts ${leaseMs} ms)`);
  };
  const heartbeatTimer = setInterval(() => void renew(), heartbeatMs);

  let lastRecovery = 0;
  const loop = async () => {
    await heartbeat().catch((e) => log(`registration failed: ${message(e)}`));
    while (!stopping) {
      nudged = false;
      try {
        if (Date.now() - lastRecovery >= recoveryEveryMs) {
          lastRecovery = Date.now();
          // A pause of this process (a heavy component blocking it) can outlast a lease: its own
          // running jobs are renewed by the next heartbeat, not taken back by itself.
          const r = await recoverLostJobs({ db, maxAttempts, runningHere: [...running.keys()].map((k) => BigInt(k)) });
          if (r.requeued + r.failed + r.terminated > 0) log(`recovered lost jobs: ${JSON.stringify(r)}`);
        }
        const free = concurrency - running.size;
        const { jobs: claimed, contended } = free > 0 ? await claimJobs({ db, workerId: id, slots: free, leaseMs }) : { jobs: [], contended: false };
        for (const job of claimed) {
          const key = job.id.toString();
          const controller = new AbortController();
          if (job.type === "standard") leased.add(key);
          const done = runJob({ db, job, workerId: id, controller, finish })
            .catch((e) => log(`job ${key} crashed the runner: ${message(e)}`))
            .finally(() => {
              running.delete(key);
              leased.delete(key);
              nudge();
            });
          running.set(key, { controller, done });
        }
        if (claimed.length > 0 && claimed.length === free) continue;
        // A project's scheduling lock stayed busy past the wait (claimJobs waited already): ask again.
        if (contended && claimed.length < free) continue;
      } catch (error) {
        log(`claim failed: ${message(error)}`);
        nudged = false;
      }
      // Jobs ended (or work arrived) while claiming: slots are free now, look again at once.
      if (nudged && !stopping && running.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, idlePollMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
  };
  const looping = loop();

  return {
    id,
    running: () => running.size,
    async stop(stopOptions) {
      stopping = true;
      nudge();
      await looping;
      const graceMs = stopOptions?.graceMs ?? 10_000;
      const all = Promise.all([...running.values()].map((r) => r.done));
      const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs))]);
      if (timedOut) {
        log(`handing ${running.size} unfinished job(s) back to the queue`);
        stopJobs([...running.keys()], "shutdown");
        await all;
      }
      clearInterval(heartbeatTimer);
      offKill();
      offWork();
      await db.worker.delete({ where: { id } }).catch(() => undefined);
    },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
