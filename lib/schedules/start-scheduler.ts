import "server-only";
import type { Db } from "@/lib/db";
import { nextDueAt, runDueSchedules } from "@/lib/schedules/run-due-schedules";
import { runDueTriggers } from "@/lib/triggers/triggers";

/**
 * The scheduling loop of a worker host: fires due slots and due Storage triggers, then sleeps until
 * the next slot or at most `tickMs` (a schedule made or a table loaded meanwhile is seen by then).
 * Every process may run it: a slot or a round of loads still makes one job (see runDueSchedules,
 * runDueTriggers).
 */
export function startScheduler(options: { db: Db; tickMs: number; log?: (line: string) => void }): () => Promise<void> {
  const { db, tickMs } = options;
  const log = options.log ?? ((line: string) => console.log(`[scheduler] ${line}`));
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      let sleepMs = tickMs;
      try {
        for (const o of await runDueSchedules({ db })) {
          const missed = o.missed > 0 ? ` (catch-up for ${o.missed + 1} slots)` : "";
          log(o.jobId !== null ? `schedule ${o.scheduleId}: job ${o.jobId} for ${o.slot.toISOString()}${missed}` : `schedule ${o.scheduleId}: slot ${o.slot.toISOString()} failed: ${o.reason}`);
        }
        for (const o of await runDueTriggers({ db })) {
          log(o.jobId !== null ? `trigger ${o.triggerId}: job ${o.jobId}` : `trigger ${o.triggerId}: its tables were loaded but no job was made: ${o.reason}`);
        }
        const next = await nextDueAt(db);
        if (next) sleepMs = Math.max(20, Math.min(tickMs, next.getTime() - Date.now() + 5));
      } catch (error) {
        if (!stopped) log(`tick failed: ${error instanceof Error ? error.message.split("\n").filter(Boolean).at(-1) : String(error)}`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();
  return async () => {
    stopped = true;
    (wake as (() => void) | null)?.();
    await loop;
  };
}
