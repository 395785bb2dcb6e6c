// Cron slots of a schedule: the one place that reads a cronTab. Server-only: the editor asks the
// server (GET /api/schedules/preview) rather than shipping croner and cronstrue to every browser,
// so that what it shows is what the scheduler loop computes. croner follows Vixie cron across DST:
// a fixed time that does not exist (spring forward) runs at the first valid time after the gap,
// one that occurs twice (fall back) runs once; interval patterns run on both occurrences.
import "server-only";
import { Cron } from "croner";
import cronstrue from "cronstrue";

export type CronProblem = { field: "cronTab" | "timezone"; message: string };

/** Keboola's cronTab has five fields; seconds and years are not part of it. */
const FIELDS = 5;

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function build(cronTab: string, timezone: string): Cron {
  return new Cron(cronTab, { timezone, mode: "5-part", fixedTimeRule: "no-wildcard", paused: true });
}

/** Why a cronTab or time zone cannot be scheduled, or null when it can. */
export function cronProblem(cronTab: string, timezone: string): CronProblem | null {
  if (!isTimeZone(timezone)) return { field: "timezone", message: `"${timezone.slice(0, 80)}" is not a time zone (use an IANA name such as Europe/Prague or UTC).` };
  const trimmed = cronTab.trim();
  if (!trimmed.startsWith("@") && trimmed.split(/\s+/).length !== FIELDS) {
    return { field: "cronTab", message: `"${cronTab.slice(0, 80)}" must have five fields: minute hour day-of-month month day-of-week.` };
  }
  let cron: Cron;
  try {
    cron = build(trimmed, timezone);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return { field: "cronTab", message: `"${cronTab.slice(0, 80)}" is not a valid cron expression: ${message}` };
  }
  if (trimmed.toLowerCase() === "@reboot" || cron.nextRun(new Date()) === null) {
    return { field: "cronTab", message: `"${cronTab.slice(0, 80)}" never runs.` };
  }
  return null;
}

/** The next `count` slots strictly after `after`. */
export function nextSlots(options: { cronTab: string; timezone: string; after: Date; count: number }): Date[] {
  return build(options.cronTab.trim(), options.timezone).nextRuns(options.count, options.after);
}

export function nextSlot(options: { cronTab: string; timezone: string; after: Date }): Date | null {
  return nextSlots({ ...options, count: 1 })[0] ?? null;
}

/** How far the scheduler counts missed slots one by one; past it, it says "at least". */
const MAX_COUNTED = 10_000;

/**
 * The slots due at `now`, from `from` (the first slot not handled yet, inclusive): the latest one
 * runs, the earlier ones were missed while nothing ran and are only counted (one catch-up run,
 * not a burst). Null when nothing is due yet.
 */
export function dueSlot(options: { cronTab: string; timezone: string; from: Date; now: Date }): { slot: Date; missed: number } | null {
  const { from, now } = options;
  if (from.getTime() > now.getTime()) return null;
  const cron = build(options.cronTab.trim(), options.timezone);
  // The latest slot at or before now: the newest of the slots before now + 1 ms.
  const latest = cron.previousRuns(1, new Date(now.getTime() + 1))[0];
  if (!latest || latest.getTime() < from.getTime()) {
    // `from` was itself computed as a slot; treat it as the one due (the pattern may have no
    // earlier match in range, e.g. it was changed since).
    return { slot: from, missed: 0 };
  }
  let missed = 0;
  for (let at = new Date(from.getTime() - 1); missed < MAX_COUNTED; missed++) {
    const next = cron.nextRun(at);
    if (!next || next.getTime() >= latest.getTime()) break;
    at = next;
  }
  return { slot: latest, missed };
}

/** A cronTab in a time zone as the editor previews it: read for people, and its next `count` runs after `after`. */
export function previewCron(options: { cronTab: string; timezone: string; after: Date; count: number }): { description: string; nextRuns: string[] } {
  return { description: describeCron(options.cronTab), nextRuns: nextSlots(options).map((d) => d.toISOString()) };
}

/** "At 02:30 AM" for people; the expression itself when cronstrue cannot read it. */
export function describeCron(cronTab: string): string {
  try {
    return cronstrue.toString(cronTab.trim(), { use24HourTimeFormat: true, verbose: false });
  } catch {
    return cronTab;
  }
}
