// Idempotency-Key on POST /jobs, through the route handler: a retry answers the first job, another
// body with the same key is a 422, keys are per project, and concurrent retries make one job.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/jobs/route";
import { db } from "@/lib/db";
import { createTestProject } from "@/test/factories";

const post = (token: string, body: object, key?: string) =>
  POST(
    new NextRequest("http://jobdeck.test/api/jobs", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "X-StorageApi-Token": token, "Content-Type": "application/json", ...(key !== undefined && { "Idempotency-Key": key }) },
    }),
    { params: Promise.resolve({}) },
  );

const body = { component: "jobdeck.noop", configData: { n: 1 }, mode: "run" };

describe("POST /jobs with an Idempotency-Key", () => {
  it("answers the first job again (201, then 200 with the same id); another body with the key is a 422", async () => {
    const { project, manage } = await createTestProject();
    const first = await post(manage.secret, body, "retry-1");
    expect(first.status).toBe(201);
    const again = await post(manage.secret, body, "retry-1");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json()).id).toBe((await first.json()).id);
    const other = await post(manage.secret, { ...body, configData: { n: 2 } }, "retry-1");
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotencyKeyReused", status: 422 });
    expect(await db().job.count({ where: { projectId: project.id } })).toBe(1);
    // Without a key every request is a new job.
    expect((await post(manage.secret, body)).status).toBe(201);
    expect((await post(manage.secret, body)).status).toBe(201);
    expect(await db().job.count({ where: { projectId: project.id } })).toBe(3);
  });

  it("keeps keys per project", async () => {
    const a = await createTestProject();
    const b = await createTestProject();
    expect((await post(a.manage.secret, body, "shared-key")).status).toBe(201);
    expect((await post(b.manage.secret, body, "shared-key")).status).toBe(201);
  });

  it("makes one job of concurrent retries", async () => {
    const { project, manage } = await createTestProject();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(manage.secret, body, "concurrent")));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    const ids = new Set(await Promise.all(answers.map(async (a) => (await a.json()).id)));
    expect(ids.size).toBe(1);
    expect(await db().job.count({ where: { projectId: project.id } })).toBe(1);
  });

  it("refuses a key that is not visible ASCII", async () => {
    const { manage } = await createTestProject();
    const answer = await post(manage.secret, body, " ");
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: "invalidIdempotencyKey" });
  });
});
