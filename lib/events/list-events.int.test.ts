import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listEvents } from "@/lib/events/list-events";
import { writeEvent } from "@/lib/events/write-event";
import { createJob } from "@/lib/jobs/create-job";
import { listEventsSchema } from "@/lib/schemas/events";
import { createTestProject } from "@/test/factories";

describe("listEvents", () => {
  it("pages a run's log with its descendants' newest first, filtered, and nothing of other runs", async () => {
    const { project, auth } = await createTestProject();
    const submit = (parentRunId?: string) => createJob({ db: db(), auth, input: { component: "jobdeck.generator", configData: {}, mode: "run" }, parentRunId });
    const root = await submit();
    const child = await submit(root.runId);
    const grandchild = await submit(child.runId);
    const sibling = await submit();
    const say = (runId: string, message: string, type: "info" | "error" = "info") => writeEvent({ db: db(), event: { projectId: project.id, runId, event: "test.log", message, type } });
    for (const [runId, message] of [[root.runId, "root 1"], [child.runId, "child 100% done"], [grandchild.runId, "grandchild 1"], [sibling.runId, "sibling"], [root.runId, "root 2"]] as const) {
      await say(runId, message);
    }
    await say(grandchild.runId, "grandchild failed", "error");
    const list = async (query: Record<string, unknown>) =>
      (await listEvents({ db: db(), projectId: project.id, input: listEventsSchema.parse({ runId: root.runId, ...query }) })).map((e) => e.message).filter((m) => !m.startsWith("Job "));

    expect(await list({ includeChildren: "true" })).toEqual(["grandchild failed", "root 2", "grandchild 1", "child 100% done", "root 1"]);
    expect(await list({})).toEqual(["root 2", "root 1"]);
    expect(await list({ includeChildren: "true", limit: "2" })).toEqual(["grandchild failed", "root 2"]);
    expect(await list({ includeChildren: "true", type: "error" })).toEqual(["grandchild failed"]);
    expect(await list({ includeChildren: "true", q: "100%" })).toEqual(["child 100% done"]);
    expect(await list({ includeChildren: "true", q: "1_" })).toEqual([]);

    const all = await listEvents({ db: db(), projectId: project.id, input: listEventsSchema.parse({ runId: root.runId, includeChildren: "true" }) });
    const newest = all[0]!.id;
    expect(await list({ includeChildren: "true", sinceId: newest })).toEqual([]);
    await say(child.runId, "child 2");
    expect(await list({ includeChildren: "true", sinceId: newest })).toEqual(["child 2"]);
    expect(await list({ includeChildren: "true", maxId: String(BigInt(newest) - BigInt(1)), limit: "1" })).toEqual(["root 2"]);
    // Another project sees none of it.
    const other = await createTestProject();
    expect(await listEvents({ db: db(), projectId: other.project.id, input: listEventsSchema.parse({ runId: root.runId, includeChildren: "true" }) })).toEqual([]);
  });
});
