import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createTestProject, unique } from "@/test/factories";
import { outputEvents } from "@/worker/runtime/output-events";
import type { OutputLine } from "@/worker/runtime/types";

async function makeJob() {
  const { project, auth } = await createTestProject();
  const job = await db().job.create({
    data: { projectId: project.id, tokenId: auth.tokenId, runId: unique("r").replace(/\D/g, "").slice(0, 12), rootRunId: "x", component: "jobdeck.python", status: "processing" },
  });
  return db().job.update({ where: { id: job.id }, data: { rootRunId: job.runId } });
}

const logOf = (runId: string) => db().jobEvent.findMany({ where: { runId, event: "job.log" }, orderBy: { id: "asc" } });
const stdout = (text: string): OutputLine => ({ stream: "stdout", text });

describe("outputEvents", () => {
  it("stores each batch as job.log events of the job, stdout as info and stderr as warn", async () => {
    const job = await makeJob();
    const events = outputEvents({ db: db(), job });
    await events.onLines([stdout("first"), { stream: "stderr", text: "a warning" }]);
    await events.onLines([stdout("with \u0000 nul")]);
    expect(await events.finish({})).toEqual({ stored: 3, suppressed: 0 });

    const log = await logOf(job.runId);
    expect(log.map((e) => [e.message, e.type, e.component, e.jobId, e.projectId])).toEqual([
      ["first", "info", "jobdeck.python", job.id, job.projectId],
      ["a warning", "warn", "jobdeck.python", job.id, job.projectId],
      ["with \uFFFD nul", "info", "jobdeck.python", job.id, job.projectId],
    ]);
    expect(log[1]!.params).toEqual({ stream: "stderr" });
  });

  it("stores at most maxLines lines, then a summary, and a last event naming the count and the File", async () => {
    const job = await makeJob();
    const events = outputEvents({ db: db(), job, maxLines: 5 });
    const batch = (from: number) => Array.from({ length: 4 }, (_, i) => stdout(`line ${from + i}`));
    for (let from = 0; from < 40; from += 4) await events.onLines(batch(from));
    expect(await events.finish({ outputFileId: "123" })).toEqual({ stored: 5, suppressed: 35 });

    const log = await logOf(job.runId);
    expect(log.slice(0, 5).map((e) => e.message)).toEqual(["line 0", "line 1", "line 2", "line 3", "line 4"]);
    // One summary while the lines kept coming (they came within a few seconds), then the last word.
    expect(log.slice(5).map((e) => [e.message, e.type])).toEqual([
      ["… 3 more lines not shown so far; the full output is kept as a File", "warn"],
      ["35 of 40 lines not shown; the full output is in File 123", "warn"],
    ]);
    expect(log.at(-1)!.params).toEqual({ suppressed: 35, stored: 5, outputFileId: "123" });
  });

  it("writes nothing more when nothing was suppressed", async () => {
    const job = await makeJob();
    const events = outputEvents({ db: db(), job, maxLines: 2 });
    await events.onLines([stdout("a"), stdout("b")]);
    await events.onLines([]);
    expect(await events.finish({ outputFileId: "9" })).toEqual({ stored: 2, suppressed: 0 });
    expect((await logOf(job.runId)).map((e) => e.message)).toEqual(["a", "b"]);
  });
});
