// The Queue API over real HTTP against a running server on the embedded database.
import { expect, type APIResponse, test } from "@playwright/test";
import { auth } from "../fixtures";

async function expectError(response: APIResponse, status: number, code: string, mentions?: RegExp) {
  expect(response.status()).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = await response.json();
  expect(body).toMatchObject({ code, status });
  expect(typeof body.error).toBe("string");
  if (mentions) expect(body.error).toMatch(mentions);
}

test.describe("Queue API", () => {
  test("refuses calls without a valid token", async ({ request }) => {
    await expectError(await request.get("/api/search/jobs"), 401, "unauthorized", /X-StorageApi-Token/);
    await expectError(await request.get("/api/search/jobs", { headers: { "X-StorageApi-Token": "nope" } }), 401, "unauthorized");
  });

  test("lists the seeded history newest first, with filters and a cursor", async ({ request }) => {
    const response = await request.get("/api/search/jobs?limit=5", { headers: auth });
    expect(response.status()).toBe(200);
    const jobs = await response.json();
    expect(jobs).toHaveLength(5);
    const ids = jobs.map((j: { id: string }) => Number(j.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const cursor = response.headers()["x-next-cursor"];
    expect(cursor).toBeTruthy();
    const next = await (await request.get(`/api/search/jobs?limit=5&cursor=${cursor}`, { headers: auth })).json();
    expect(Number(next[0].id)).toBeLessThan(ids.at(-1)!);

    const waiting = await (await request.get("/api/search/jobs?status[]=waiting&status[]=terminating", { headers: auth })).json();
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    for (const job of waiting) expect(["waiting", "terminating"]).toContain(job.status);
    const locked = waiting.find((j: { waiting: { reason: string } | null }) => j.waiting?.reason === "configLock");
    expect(locked.waiting.message).toMatch(/already processing configuration "Customer segments"/);

    const failedRoots = await (await request.get("/api/search/jobs?status=error&rootOnly=true&componentId=keboola.orchestrator", { headers: auth })).json();
    expect(failedRoots.length).toBeGreaterThanOrEqual(1);
    expect(failedRoots[0]).toMatchObject({ type: "orchestrationContainer", parentRunId: null, isFinished: true, isSuccess: false });
    expect(failedRoots[0].subtree.jobs).toBeGreaterThan(3);
  });

  test("creates jobs and children, reads them, kills them", async ({ request }) => {
    const created = await request.post("/api/jobs", { headers: auth, data: { component: "keboola.ex-http", config: "101", mode: "run" } });
    expect(created.status()).toBe(201);
    const parent = await created.json();
    expect(parent).toMatchObject({ status: "created", component: "keboola.ex-http", config: "101", configName: "Orders from the shop", runId: parent.id });
    expect(parent.url).toMatch(new RegExp(`/api/jobs/${parent.id}$`));

    const childResponse = await request.post("/api/jobs", {
      headers: { ...auth, "X-KBC-RunId": parent.runId },
      data: { component: "jobdeck.generator", configData: { rows: 10 }, mode: "debug" },
    });
    expect(childResponse.status()).toBe(201);
    const child = await childResponse.json();
    expect(child).toMatchObject({ parentRunId: parent.runId, runId: `${parent.runId}.${child.id}`, configData: { rows: 10 } });

    const fetched = await (await request.get(`/api/jobs/${parent.id}`, { headers: auth })).json();
    expect(fetched).toMatchObject({ id: parent.id, childrenCount: 1, subtree: { jobs: 2, unfinished: 2 } });

    const killed = await request.post(`/api/jobs/${parent.id}/kill`, { headers: auth });
    expect(killed.status()).toBe(200);
    expect(await killed.json()).toMatchObject({ id: parent.id, status: "cancelled", desiredStatus: "terminating", isFinished: true });
    expect((await (await request.get(`/api/jobs/${child.id}`, { headers: auth })).json()).status).toBe("cancelled");
    await expectError(await request.post(`/api/jobs/${parent.id}/kill`, { headers: auth }), 400, "jobNotKillable", /already cancelled/);

    const events = await (await request.get(`/api/v2/storage/events?runId=${parent.runId}`, { headers: auth })).json();
    expect(events.map((e: { event: string }) => e.event)).toEqual(["job.terminate", "job.created"]);
  });

  test("answers bad input with JSON errors naming the problem", async ({ request }) => {
    await expectError(await request.get("/api/jobs/999999999", { headers: auth }), 404, "notFound");
    await expectError(await request.get("/api/jobs/abc'--", { headers: auth }), 404, "notFound");
    await expectError(await request.post("/api/jobs/123456789/kill", { headers: auth }), 404, "notFound");
    await expectError(await request.get("/api/search/jobs?limit=501", { headers: auth }), 422, "invalidInput", /limit/);
    await expectError(await request.get("/api/search/jobs?limit=-1", { headers: auth }), 422, "invalidInput", /limit/);
    await expectError(await request.get("/api/search/jobs?sortBy=password", { headers: auth }), 422, "invalidInput", /sortBy/);
    await expectError(await request.get("/api/search/jobs?status=done", { headers: auth }), 422, "invalidInput", /status/);
    await expectError(await request.get("/api/search/jobs?createdTimeFrom=soon", { headers: auth }), 422, "invalidInput", /createdTimeFrom/);
    await expectError(
      await request.post("/api/jobs", { headers: { ...auth, "Content-Type": "application/json" }, data: Buffer.from("{not json") }),
      400,
      "malformedJson",
    );
    await expectError(await request.post("/api/jobs", { headers: auth, data: { mode: "run" } }), 422, "invalidInput", /component/);
    await expectError(await request.post("/api/jobs", { headers: auth, data: { component: "keboola.ex-http", config: "101", colour: "red" } }), 422, "invalidInput");
    await expectError(await request.post("/api/jobs", { headers: auth, data: { component: "keboola.ex-http", config: "103" } }), 400, "configurationDisabled", /forceRun/);
    await expectError(
      await request.post("/api/jobs", { headers: auth, data: { component: "keboola.ex-http", configData: { blob: "x".repeat(1_100_000) } } }),
      413,
      "payloadTooLarge",
    );
  });

  test("read-only tokens read but cannot create or kill; revoked tokens are refused at once", async ({ request }) => {
    const made = await request.post("/api/tokens", { headers: auth, data: { description: `viewer ${Date.now()}`, canManageJobs: false } });
    expect(made.status()).toBe(201);
    const viewer = await made.json();
    const headers = { "X-StorageApi-Token": viewer.token };
    expect((await request.get("/api/search/jobs?limit=1", { headers })).status()).toBe(200);
    await expectError(await request.post("/api/jobs", { headers, data: { component: "keboola.ex-http", config: "101" } }), 403, "forbidden");
    const [job] = await (await request.get("/api/search/jobs?limit=1", { headers })).json();
    await expectError(await request.post(`/api/jobs/${job.id}/kill`, { headers }), 403, "forbidden");

    expect((await request.delete(`/api/tokens/${viewer.id}`, { headers: auth })).status()).toBe(200);
    await expectError(await request.get("/api/search/jobs?limit=1", { headers }), 401, "unauthorized");
  });
});
