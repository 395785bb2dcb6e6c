// Figures of a configuration's run history, shared by the configuration page and the job detail.

type Run = { id: string; status: string; durationSeconds: number | null };

/** How many of the last successful runs make "usually". */
export const USUAL_RUNS = 10;

/** The mean processing time of the last successful runs (newest first in `runs`), leaving out `exceptId`. */
export function usualSeconds(runs: readonly Run[], exceptId?: string): { seconds: number; runs: number } | null {
  const durations = runs
    .filter((r) => r.id !== exceptId && r.status === "success" && r.durationSeconds !== null)
    .slice(0, USUAL_RUNS)
    .map((r) => r.durationSeconds!);
  if (durations.length === 0) return null;
  return { seconds: durations.reduce((a, b) => a + b, 0) / durations.length, runs: durations.length };
}

/**
 * Whether a run's time is far enough from the usual to say so: at least half again as long or
 * half as short, and at least 20 s apart (a 2 s job taking 4 s is not news).
 */
export function isFarFromUsual(seconds: number, usual: number): boolean {
  if (usual <= 0) return seconds >= 20;
  const ratio = seconds / usual;
  return Math.abs(seconds - usual) >= 20 && (ratio >= 1.5 || ratio <= 0.5);
}
