// X-KBC-RunId is checked once, in withAuth, for every route: another project's run (or garbage) is a
// 400, the caller's own run passes.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as searchJobs } from "@/app/api/search/jobs/route";
import { GET as listFiles } from "@/app/api/v2/storage/files/route";
import { GET as listEvents } from "@/app/api/v2/storage/events/route";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { createTestProject } from "@/test/factories";

const get = (handler: typeof searchJobs, path: string, token: string, runId: string) =>
  handler(new NextRequest(`http://jobdeck.test${path}`, { headers: { "X-StorageApi-Token": token, "X-KBC-RunId": runId } }), { params: Promise.resolve({}) });

describe("X-KBC-RunId on every route", () => {
  it("answers 400 for another project's run or a malformed one, and passes the caller's own", async () => {
    const mine = await createTestProject();
    const other = await createTestProject();
    const own = await createJob({ db: db(), auth: mine.auth, input: { component: "jobdeck.noop", configData: {}, mode: "run" } });
    const foreign = await createJob({ db: db(), auth: other.auth, input: { component: "jobdeck.noop", configData: {}, mode: "run" } });
    for (const [handler, path] of [[searchJobs, "/api/search/jobs"], [listFiles, "/api/v2/storage/files"], [listEvents, "/api/v2/storage/events"]] as const) {
      const refused = await get(handler, path, mine.manage.secret, foreign.runId);
      expect(refused.status, path).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "invalidRunId" });
      expect((await get(handler, path, mine.manage.secret, "not a run")).status, path).toBe(400);
      expect((await get(handler, path, mine.manage.secret, own.runId)).status, path).toBe(200);
      // A run id no job has is a client's own label (Keboola accepts any).
      expect((await get(handler, path, mine.manage.secret, "987654321987")).status, path).toBe(200);
    }
  });
});
