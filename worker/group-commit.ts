import "server-only";
import type { Db } from "@/lib/db";
import { type EndedRun, type RunEnd, finishRuns } from "@/lib/jobs/transitions";
import { type FinishRun, announceEnd } from "@/worker/run-job";

const MAX_BATCH = 500;

/**
 * Group commit for a worker's job ends: ends reported in the same tick, or while the previous
 * batch is being written, go to the database together in one statement (finishRuns: the status
 * moves and the job.finished events). One round trip per batch instead of several per job.
 */
export function groupCommit(db: Db): FinishRun {
  let queue: { end: RunEnd; resolve: (job: EndedRun | null) => void; reject: (error: unknown) => void }[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      try {
        const ended = await finishRuns({ db, ends: batch.map((b) => b.end), announce: announceEnd });
        batch.forEach((b, i) => b.resolve(ended[i] ?? null));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // One bad report must not fail the others: retry them one by one.
        else for (const b of batch) await finishRuns({ db, ends: [b.end], announce: announceEnd }).then(([job]) => b.resolve(job ?? null), b.reject);
      }
    }
    writing = false;
  };
  return (end) =>
    new Promise<EndedRun | null>((resolve, reject) => {
      queue.push({ end, resolve, reject });
      // The first end of a tick schedules the write; the others of that tick join it.
      if (!writing && queue.length === 1) setImmediate(() => void flush());
    });
}
