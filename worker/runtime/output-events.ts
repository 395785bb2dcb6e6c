// A run's output lines as job events, capped: a program printing millions of lines must not flood
// the event log (the database, the UI). The first `maxLines` lines become events one by one; past
// them a summary now and then, and a last one naming the count and the File with the whole output.
import "server-only";
import type { Db } from "@/lib/db";
import { type NewEvent, writeEvents } from "@/lib/events/write-event";
import type { Job } from "@/lib/generated/prisma/client";
import type { OutputLine } from "@/worker/runtime/types";

export const DEFAULT_MAX_LINES = 10_000;
const SUMMARY_EVERY_MS = 5000;

// Keboola forwards stdout live as `info` and adds the collected stderr as a last `error` event.
// Here stderr streams live too (Python's logging, progress bars and warnings all go there), as
// `warn`: whether the run failed is the exit code's to say, and the caller reports that with the tail.
const TYPE_OF = { stdout: "info", stderr: "warn" } as const;

export function outputEvents(options: { db: Db; job: Job; maxLines?: number }) {
  const { db, job } = options;
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  let stored = 0;
  let suppressed = 0;
  let lastSummaryAt = 0;

  const event = (fields: Pick<NewEvent, "message" | "type" | "params">): NewEvent => ({
    projectId: job.projectId,
    jobId: job.id,
    runId: job.runId,
    component: job.component,
    event: "job.log",
    ...fields,
  });
  const lines = (count: number) => `${count.toLocaleString("en-US")} ${count === 1 ? "line" : "lines"}`;

  return {
    /** One batch of lines → one insert. */
    async onLines(batch: OutputLine[]): Promise<void> {
      const shown = batch.slice(0, Math.max(0, maxLines - stored));
      const events = shown.map((line) =>
        // PostgreSQL's text cannot hold NUL.
        event({ message: line.text.replaceAll("\u0000", "\uFFFD"), type: TYPE_OF[line.stream], params: { stream: line.stream } }),
      );
      stored += shown.length;
      suppressed += batch.length - shown.length;
      if (suppressed > 0 && Date.now() - lastSummaryAt >= SUMMARY_EVERY_MS) {
        lastSummaryAt = Date.now();
        events.push(event({ message: `… ${suppressed.toLocaleString("en-US")} more ${suppressed === 1 ? "line" : "lines"} not shown so far; the full output is kept as a File`, type: "warn", params: { suppressed } }));
      }
      await writeEvents({ db, events });
    },

    /** The last word on a capped output: how many lines the log lacks and where they are. */
    async finish(summary: { outputFileId?: string }): Promise<{ stored: number; suppressed: number }> {
      if (suppressed > 0) {
        const where = summary.outputFileId ? `File ${summary.outputFileId}` : "the output file";
        await writeEvents({
          db,
          events: [
            event({
              message: `${suppressed.toLocaleString("en-US")} of ${lines(stored + suppressed)} not shown; the full output is in ${where}`,
              type: "warn",
              params: { suppressed, stored, ...(summary.outputFileId && { outputFileId: summary.outputFileId }) },
            }),
          ],
        });
      }
      return { stored, suppressed };
    },
  };
}
