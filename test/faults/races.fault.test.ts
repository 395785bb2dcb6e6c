// The races a job queue must win every time, run thousands of times on PostgreSQL from two
// connection pools at once (an API process and a worker process): kill vs finish, kill vs claim,
// two kills, and the kill of a parent vs a child finishing. Each race ends with exactly one final
// status that never changes again, agrees with the events, and leaves nothing of a killed tree running.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Db, type DbHandle, db, openDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import { claimJobs } from "@/lib/jobs/claim-jobs";
import { createJob } from "@/lib/jobs/create-job";
import { killJob } from "@/lib/jobs/kill-job";
import { FINAL_STATUSES, type JobStatus, isFinished } from "@/lib/jobs/state";
import { spawnChildren } from "@/lib/jobs/spawn-children";
import { applyJobEvent, finishJob, startJob } from "@/lib/jobs/transitions";
import { recordFigure } from "@/test/faults/figures";
import { createTestProject } from "@/test/factories";
import { runJob } from "@/worker/run-job";

const PART = "races";
// Races per kind, and how many run side by side (each one a pair of concurrent sides).
const RACES = { killVsFinish: 600, killVsClaim: 600, twoKills: 604, parentVsChild: 200 };
const LANES = 4;
const CLAIM_ROUND = 6;

// The API side and the worker side each get their own pool: their queries really interleave.
let api: Db;
let worker: Db;
let workerHandle: DbHandle;
beforeAll(() => {
  api = db();
  workerHandle = openDb({ kind: "postgresql", url: inject("databaseUrl"), poolSize: 6 });
  worker = workerHandle.db;
});
afterAll(() => workerHandle.close());

type Project = Awaited<ReturnType<typeof createTestProject>>;
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const anomalies: string[] = [];
/** Every job a race ended, with the final status it ended in: re-read at the end. */
const finals = new Map<bigint, string>();

function anomaly(kind: string, text: string) {
  anomalies.push(`${kind}: ${text}`);
}

/** A random pause of up to `maxMs`, so that either side of a race gets to go first. */
function jitter(maxMs: number): Promise<void> {
  const ms = Math.random() * maxMs;
  return ms < 1 ? new Promise((r) => setImmediate(r)) : new Promise((r) => setTimeout(r, ms));
}

async function settle<T>(run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

const notKillable = (r: Settled<unknown>) => !r.ok && r.error instanceof ApiError && r.error.status === 400 && r.error.code === "jobNotKillable";

/** A kill either works or answers 400 jobNotKillable; anything else is a bug. */
function killOutcome(kind: string, jobId: bigint, r: Settled<unknown>): "killed" | "refused" | "broken" {
  if (r.ok) return "killed";
  if (notKillable(r)) return "refused";
  anomaly(kind, `kill of job ${jobId} threw ${r.error instanceof Error ? r.error.stack : String(r.error)}`);
  return "broken";
}

function kill(on: Db, project: Project, jobId: bigint, who: string) {
  return settle(() => killJob({ db: on, projectId: project.project.id, id: jobId.toString(), killedBy: who }));
}

/** The worker's side: runs a claimed job to its end (jobdeck.noop finishes at once) and settles its parent. */
function runToEnd(job: Job) {
  return settle(() => runJob({ db: worker, job, workerId: "race-worker", controller: new AbortController() }));
}

const noop = { component: "jobdeck.noop", configData: {}, mode: "run" as const };

/**
 * The worker's claim of one job, as claimJobs makes it: the start, and for a standard job its
 * job.started event (claimJobs writes both in one statement; here the start races on its own).
 */
async function claimOne(options: { jobId: bigint; workerId: string }): Promise<Job | null> {
  const job = await startJob({ db: worker, ...options });
  if (job?.type === "standard") {
    await writeEvents({ db: worker, events: [{ projectId: job.projectId, jobId: job.id, runId: job.runId, event: "job.started", component: job.component, type: "info", message: `Job ${job.id} started on worker ${options.workerId} (attempt ${job.attempt})` }] });
  }
  return job;
}

/**
 * Checks a set of jobs after their race: all final, and the events agree with the status.
 * A job that ran has one start and one end event naming its status; one that never ran has neither.
 */
async function checkEnded(kind: string, ids: bigint[]): Promise<Job[]> {
  const jobs = await api.job.findMany({ where: { id: { in: ids } } });
  const events = await api.jobEvent.findMany({ where: { jobId: { in: ids } }, select: { jobId: true, event: true, message: true } });
  for (const job of jobs) {
    const mine = events.filter((e) => e.jobId === job.id);
    const count = (name: string) => mine.filter((e) => e.event === name).length;
    const status = job.status as JobStatus;
    if (!isFinished(status)) {
      anomaly(kind, `job ${job.id} (${job.type}) left ${status}`);
      continue;
    }
    finals.set(job.id, status);
    if (job.type === "standard") {
      const started = job.startTime !== null;
      if (count("job.started") !== (started ? 1 : 0)) anomaly(kind, `job ${job.id} ${status} has ${count("job.started")} job.started events (startTime ${job.startTime?.toISOString()})`);
      if (status === "cancelled" && (started || job.attempt !== 0)) anomaly(kind, `job ${job.id} cancelled but it had started (attempt ${job.attempt})`);
    }
    const ends = mine.filter((e) => e.event === "job.finished");
    if (status === "cancelled") {
      if (ends.length !== 0) anomaly(kind, `cancelled job ${job.id} has a job.finished event: ${ends[0]!.message}`);
    } else if (ends.length !== 1 || !ends[0]!.message.includes(status)) {
      anomaly(kind, `job ${job.id} ${status} has job.finished events ${JSON.stringify(ends.map((e) => e.message))}`);
    }
    if (count("job.terminate") > 1) anomaly(kind, `job ${job.id} has ${count("job.terminate")} job.terminate events`);
  }
  if (jobs.length !== ids.length) anomaly(kind, `${ids.length - jobs.length} job(s) vanished`);
  return jobs;
}

/** Runs `total` races, `LANES` at a time. */
async function inLanes(total: number, race: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < total) await race(next++);
    }),
  );
}

describe("races on PostgreSQL, thousands of times", () => {
  const counts = { killVsFinish: 0, killVsClaim: 0, twoKills: 0, parentVsChild: 0 };
  const winners: Record<string, number> = {};
  const won = (what: string) => (winners[what] = (winners[what] ?? 0) + 1);

  it("kill vs finish: the job ends either success (the kill refused) or terminated", async () => {
    const kind = "kill vs finish";
    const project = await createTestProject();
    await inLanes(RACES.killVsFinish, async () => {
      const created = await createJob({ db: api, auth: project.auth, input: noop });
      const job = (await claimOne({ jobId: created.id, workerId: "race-worker" }))!;
      const [killed] = await Promise.all([
        jitter(12).then(() => kill(api, project, job.id, "race A")),
        jitter(12).then(() => runToEnd(job)),
      ]);
      const outcome = killOutcome(kind, job.id, killed);
      const [ended] = await checkEnded(kind, [job.id]);
      const terminates = await api.jobEvent.count({ where: { jobId: job.id, event: "job.terminate" } });
      if (outcome === "killed" && (ended!.status !== "terminated" || terminates !== 1)) anomaly(kind, `job ${job.id} was killed but ended ${ended!.status} with ${terminates} job.terminate events`);
      if (outcome === "refused" && (ended!.status !== "success" || terminates !== 0)) anomaly(kind, `the kill of job ${job.id} was refused but it ended ${ended!.status} with ${terminates} job.terminate events`);
      won(`${kind}: ${ended!.status}`);
      counts.killVsFinish += 1;
    });
    expect(anomalies).toEqual([]);
    // Both interleavings happened, else this was not a race.
    expect(winners[`${kind}: success`]).toBeGreaterThan(0);
    expect(winners[`${kind}: terminated`]).toBeGreaterThan(0);
  });

  it("kill vs claim: a job is cancelled before it starts, or started and then terminated, never both", async () => {
    const kind = "kill vs claim";
    const project = await createTestProject();
    await api.project.update({ where: { id: project.project.id }, data: { maxProcessingJobs: 1000 } });
    for (let round = 0; round * CLAIM_ROUND < RACES.killVsClaim; round++) {
      const jobs: Job[] = [];
      for (let i = 0; i < CLAIM_ROUND; i++) jobs.push(await createJob({ db: api, auth: project.auth, input: noop }));
      const ids = jobs.map((j) => j.id);
      // One worker claims the batch while the API kills each job of it.
      const [claim, kills] = await Promise.all([
        jitter(10).then(() => settle(async () => {
          const { jobs: claimed } = await claimJobs({ db: worker, workerId: "race-worker", slots: CLAIM_ROUND, leaseMs: 60_000, projectId: project.project.id });
          await Promise.all(claimed.map((job) => runToEnd(job)));
          return claimed;
        })),
        Promise.all(jobs.map((job) => jitter(10).then(() => kill(api, project, job.id, "race A")))),
      ]);
      if (!claim.ok) {
        anomaly(kind, `claim threw ${claim.error instanceof Error ? claim.error.stack : String(claim.error)}`);
        continue;
      }
      const claimedIds = new Set(claim.value.map((j) => j.id));
      for (const id of claimedIds) if (!ids.includes(id)) anomaly(kind, `claimed job ${id}, which is not of this round`);
      const ended = await checkEnded(kind, ids);
      for (const [i, job] of jobs.entries()) {
        const outcome = killOutcome(kind, job.id, kills[i]!);
        const status = ended.find((e) => e.id === job.id)?.status;
        const claimed = claimedIds.has(job.id);
        const expected = outcome === "killed" ? (claimed ? "terminated" : "cancelled") : "success";
        if (status !== expected || (outcome === "refused" && !claimed)) anomaly(kind, `job ${job.id}: kill ${outcome}, ${claimed ? "" : "not "}claimed, ended ${status}`);
        won(`${kind}: ${status}`);
        counts.killVsClaim += 1;
      }
    }
    expect(anomalies).toEqual([]);
    expect(winners[`${kind}: cancelled`]).toBeGreaterThan(0);
    expect((winners[`${kind}: terminated`] ?? 0) + (winners[`${kind}: success`] ?? 0)).toBeGreaterThan(0);
  });

  it("two kills: exactly one wins, the other answers 400, one termination is recorded", async () => {
    const kind = "two kills";
    const project = await createTestProject();
    await inLanes(RACES.twoKills, async (i) => {
      const created = await createJob({ db: api, auth: project.auth, input: noop });
      // Half the jobs wait in the queue, half are running.
      const running = i % 2 === 1 ? await claimOne({ jobId: created.id, workerId: "race-worker" }) : null;
      const results = await Promise.all([
        jitter(5).then(() => kill(api, project, created.id, "race A")),
        jitter(5).then(() => kill(worker, project, created.id, "race B")),
      ]);
      const outcomes = results.map((r) => killOutcome(kind, created.id, r));
      if (outcomes.filter((o) => o === "killed").length !== 1 || outcomes.filter((o) => o === "refused").length !== 1) {
        anomaly(kind, `job ${created.id}: the kills answered ${outcomes.join(" and ")}`);
      }
      // The worker reports a running job's end after the kill: it can only be terminated.
      if (running) await runToEnd(running);
      const [ended] = await checkEnded(kind, [created.id]);
      const expected = running ? "terminated" : "cancelled";
      const terminates = await api.jobEvent.count({ where: { jobId: created.id, event: "job.terminate" } });
      if (ended!.status !== expected || terminates !== 1) anomaly(kind, `job ${created.id} ended ${ended!.status} (expected ${expected}) with ${terminates} job.terminate events`);
      counts.twoKills += 1;
    });
    expect(anomalies).toEqual([]);
  });

  it("kill of a parent vs a child finishing: the tree ends killed, and only children that finished first succeeded", async () => {
    const kind = "parent vs child";
    const project = await createTestProject();
    await inLanes(RACES.parentVsChild, async (i) => {
      // An orchestration with one phase of two tasks: the task that races, and a sibling that
      // already succeeded, is still queued, or is running.
      const sibling = (["succeeded", "queued", "running"] as const)[i % 3]!;
      const root = await createJob({ db: api, auth: project.auth, input: { component: "keboola.orchestrator", configData: { phases: [{ name: "race", tasks: [noop, noop] }] }, mode: "run" } });
      const rootRun = (await claimOne({ jobId: root.id, workerId: "race-worker" }))!;
      await spawnChildren({ db: worker, job: rootRun, configuration: root.configData as Record<string, unknown>, rowIds: [] });
      const phase = await api.job.findFirstOrThrow({ where: { projectId: root.projectId, parentRunId: root.runId } });
      const phaseRun = (await claimOne({ jobId: phase.id, workerId: "race-worker" }))!;
      await spawnChildren({ db: worker, job: phaseRun, configuration: phase.configData as Record<string, unknown>, rowIds: [] });
      const [racer, other] = await api.job.findMany({ where: { projectId: root.projectId, parentRunId: phase.runId }, orderBy: { id: "asc" } });
      const racing = (await claimOne({ jobId: racer!.id, workerId: "race-worker" }))!;
      let otherRun: Job | null = null;
      if (sibling !== "queued") otherRun = await claimOne({ jobId: other!.id, workerId: "race-worker" });
      if (sibling === "succeeded") {
        await runToEnd(otherRun!);
        otherRun = null;
      }

      const [killed, child] = await Promise.all([
        // A kill of a tree takes several statements, a no-op child's end one: the child waits longer.
        jitter(10).then(() => kill(api, project, root.id, "race A")),
        jitter(40).then(() => runToEnd(racing)),
      ]);
      if (!child.ok) anomaly(kind, `the racing child ${racing.id} threw ${String(child.error)}`);
      const outcome = killOutcome(kind, root.id, killed);
      // A running sibling hears the kill on its next heartbeat and reports.
      if (otherRun) await runToEnd(otherRun);

      const tree = [root.id, phase.id, racer!.id, other!.id];
      const ended = await checkEnded(kind, tree);
      const status = (id: bigint) => ended.find((j) => j.id === id)?.status;
      const descendants = ended.filter((j) => j.id !== root.id);
      if (outcome === "killed") {
        const killedCount = descendants.filter((j) => j.status === "cancelled" || j.status === "terminated").length;
        const reported = killed.ok ? killed.value.descendantsKilled : -1;
        if (status(root.id) !== "terminated") anomaly(kind, `root ${root.id} was killed but ended ${status(root.id)}`);
        // Every descendant the kill reached ended killed; the others had finished before it.
        if (reported !== killedCount) anomaly(kind, `kill of ${root.id} reached ${reported} descendants, ${killedCount} ended killed: ${descendants.map((j) => `${j.id} ${j.status}`).join(", ")}`);
        if (sibling === "queued" && status(other!.id) !== "cancelled") anomaly(kind, `queued sibling ${other!.id} of a killed tree ended ${status(other!.id)}`);
        if (sibling === "running" && status(other!.id) !== "terminated") anomaly(kind, `running sibling ${other!.id} of a killed tree ended ${status(other!.id)}`);
        for (const j of descendants) {
          if (j.status === "success" && j.id !== racer!.id && !(sibling === "succeeded" && j.id === other!.id) && j.id !== phase.id) {
            anomaly(kind, `job ${j.id} of a killed tree succeeded`);
          }
        }
        // The phase can only have succeeded if both its tasks did, before the kill reached it.
        if (status(phase.id) === "success" && (status(racer!.id) !== "success" || status(other!.id) !== "success")) anomaly(kind, `phase ${phase.id} succeeded under a killed root`);
      } else if (outcome === "refused") {
        // The kill came after the whole tree had finished.
        if (ended.some((j) => j.status !== "success")) anomaly(kind, `kill of ${root.id} refused, yet the tree ended ${ended.map((j) => `${j.id} ${j.status}`).join(", ")}`);
      }
      won(`${kind}: root ${status(root.id)}, racing child ${status(racer!.id)}`);
      counts.parentVsChild += 1;
    });
    expect(anomalies).toEqual([]);
    expect(Object.keys(winners).filter((k) => k.startsWith(kind)).length).toBeGreaterThan(1);
  });

  it("final statuses never change: re-read, and every further move is refused, by the code and by the database", async () => {
    const kind = "after the races";
    const ids = [...finals.keys()];
    // One job per race of the first three kinds, a tree of four per parent-vs-child race.
    expect(ids.length).toBe(RACES.killVsFinish + RACES.killVsClaim + RACES.twoKills + 4 * RACES.parentVsChild);
    const now = await api.job.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, updatedAt: true } });
    for (const job of now) if (finals.get(job.id) !== job.status) anomaly(kind, `job ${job.id} was ${finals.get(job.id)}, is now ${job.status}`);

    const projects = new Map((await api.job.findMany({ where: { id: { in: ids } }, select: { id: true, projectId: true } })).map((j) => [j.id, j.projectId]));
    const sample = ids.filter((_, i) => i % 10 === 0);
    for (const id of sample) {
      const [lateKill, ...moves] = await Promise.all([
        settle(() => killJob({ db: api, projectId: projects.get(id)!, id: id.toString() })),
        finishJob({ db: worker, jobId: id, outcome: "succeed" }),
        finishJob({ db: api, jobId: id, outcome: "fail" }),
        startJob({ db: worker, jobId: id, workerId: "late-worker" }),
        applyJobEvent({ db: api, jobId: id, event: "requeue" }),
      ]);
      if (!notKillable(lateKill)) anomaly(kind, `a late kill of final job ${id} did not answer 400`);
      moves.forEach((m, i) => m !== null && anomaly(kind, `late move ${i} of final job ${id} was applied: ${m.status}`));
    }
    // The trigger refuses any change to a final job, even a raw UPDATE that bypasses the code.
    for (const status of FINAL_STATUSES) {
      const id = ids.find((i) => finals.get(i) === status);
      if (id === undefined) continue;
      for (const change of [api.$executeRaw`UPDATE "Job" SET status = 'processing' WHERE id = ${id}`, api.$executeRaw`UPDATE "Job" SET result = '{}', "workerId" = 'x' WHERE id = ${id}`]) {
        const r = await settle(() => change);
        if (r.ok || !String(r.error).includes("can no longer change")) anomaly(kind, `a raw UPDATE of ${status} job ${id} was not refused by the trigger: ${r.ok ? "applied" : String(r.error)}`);
      }
    }
    const bulk = await settle(() => worker.$executeRaw`UPDATE "Job" SET status = 'created' WHERE id = ANY(${ids}::bigint[])`);
    if (bulk.ok) anomaly(kind, `a bulk UPDATE of ${ids.length} final jobs was applied`);
    const after = await api.job.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, updatedAt: true } });
    const before = new Map(now.map((j) => [j.id, j.updatedAt.getTime()]));
    for (const job of after) {
      if (finals.get(job.id) !== job.status || before.get(job.id) !== job.updatedAt.getTime()) anomaly(kind, `job ${job.id} changed after it was final`);
    }

    const total = counts.killVsFinish + counts.killVsClaim + counts.twoKills + counts.parentVsChild;
    recordFigure(PART, "kill vs finish races", counts.killVsFinish);
    recordFigure(PART, "kill vs claim races", counts.killVsClaim);
    recordFigure(PART, "two kills races", counts.twoKills);
    recordFigure(PART, "parent kill vs child finish races", counts.parentVsChild);
    recordFigure(PART, "races run", total);
    recordFigure(PART, "outcomes seen", Object.entries(winners).map(([k, v]) => `${k} ×${v}`).join("; "));
    recordFigure(PART, "late moves refused", sample.length * 5 + FINAL_STATUSES.length * 2 + 1);
    recordFigure(PART, "anomalies", anomalies.length);
    expect(anomalies).toEqual([]);
    expect(total).toBe(RACES.killVsFinish + RACES.killVsClaim + RACES.twoKills + RACES.parentVsChild);
  });
});
