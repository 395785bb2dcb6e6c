// The Queue API over real HTTP against a running server on the embedded database.
import { expect, type APIRequestContext, type APIResponse, test } from "@playwright/test";
import { auth } from "../fixtures";

async function expectError(response: APIResponse, status: number, code: string, mentions?: RegExp) {
  expect(response.status()).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = await response.json();
  expect(body).toMatchObject({ code, status });
  expect(typeof body.error).toBe("string");
  if (mentions) expect(body.error).toMatch(mentions);
}

async function job(request: APIRequestContext, id: string) {
  return (await request.get(`/api/jobs/${id}`, { headers: auth })).json();
}

/** A configuration of the generator that this test alone uses. */
async function newGeneratorConfig(request: APIRequestContext, body: object): Promise<string> {
  const id = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const res = await request.post("/api/v2/storage/components/jobdeck.generator/configs", { headers: auth, data: { configurationId: id, name: `Long ${id}`, configuration: body } });
  expect(res.status()).toBe(201);
  return id;
}

test.describe("Queue API", () => {
  test("answers a Queue client given the origin as its base URL, and browsers at the same paths with pages", async ({ request }) => {
    const created = await request.post("/jobs", { headers: auth, data: { component: "jobdeck.noop", mode: "run", configData: {} } });
    expect(created.status()).toBe(201);
    const { id } = await created.json();
    const asClient = await request.get(`/jobs/${id}`, { headers: auth });
    expect(asClient.headers()["content-type"]).toContain("application/json");
    expect(await asClient.json()).toMatchObject({ id, component: "jobdeck.noop" });
    const asked = await request.get(`/jobs/${id}`, { headers: { Accept: "application/json" } });
    await expectError(asked, 401, "unauthorized");
    const searched = await request.get(`/search/jobs?limit=1&component=jobdeck.noop`, { headers: auth });
    expect((await searched.json())[0]).toMatchObject({ component: "jobdeck.noop" });
    const grouped = await request.get(`/search/grouped-jobs?groupBy=componentId&jobsPerGroup=1&component=jobdeck.noop`, { headers: auth });
    expect((await grouped.json())[0]).toMatchObject({ group: { componentId: "jobdeck.noop" }, jobs: [{ id }] });
    // A browser's navigation to the same address gets the dashboard's page.
    const asBrowser = await request.get(`/jobs/${id}`, { headers: { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" } });
    expect(asBrowser.headers()["content-type"]).toContain("text/html");
  });

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

    const failedRoots = await (await request.get("/api/search/jobs?status=error&rootOnly=true&componentId=keboola.orchestrator", { headers: auth })).json();
    expect(failedRoots.length).toBeGreaterThanOrEqual(1);
    expect(failedRoots[0]).toMatchObject({ type: "orchestrationContainer", parentRunId: null, isFinished: true, isSuccess: false });
    expect(failedRoots[0].subtree.jobs).toBeGreaterThan(3);
  });

  test("a second run of a busy configuration waits and says why", async ({ request }) => {
    const config = await newGeneratorConfig(request, { durationSeconds: 600 });
    const first = await (await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", config } })).json();
    const second = await (await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", config } })).json();
    await expect.poll(async () => (await job(request, first.id)).status).toBe("processing");
    await expect.poll(async () => (await job(request, second.id)).waiting?.reason).toBe("configLock");
    expect((await job(request, second.id)).waiting.message).toBe(`Job ${first.id} is already processing this configuration.`);
    const waiting = await (await request.get(`/api/search/jobs?status=waiting&configId=${config}`, { headers: auth })).json();
    expect(waiting.map((j: { id: string }) => j.id)).toEqual([second.id]);
    for (const id of [first.id, second.id]) expect((await request.post(`/api/jobs/${id}/kill`, { headers: auth })).status()).toBe(200);
  });

  test("creates a job and a child through X-KBC-RunId, then kills the parent and with it the child", async ({ request }) => {
    const config = await newGeneratorConfig(request, { durationSeconds: 600 });
    const created = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", config, mode: "run" } });
    expect(created.status()).toBe(201);
    const parent = await created.json();
    expect(parent).toMatchObject({ status: "created", component: "jobdeck.generator", config, configName: `Long ${config}`, runId: parent.id });
    expect(parent.url).toMatch(new RegExp(`/api/jobs/${parent.id}$`));

    const childResponse = await request.post("/api/jobs", {
      headers: { ...auth, "X-KBC-RunId": parent.runId },
      data: { component: "jobdeck.generator", configData: { rows: 10, durationSeconds: 600 }, mode: "debug" },
    });
    expect(childResponse.status()).toBe(201);
    const child = await childResponse.json();
    expect(child).toMatchObject({ parentRunId: parent.runId, runId: `${parent.runId}.${child.id}`, configData: { rows: 10, durationSeconds: 600 } });
    expect(await job(request, parent.id)).toMatchObject({ id: parent.id, childrenCount: 1, subtree: { jobs: 2, unfinished: 2 } });

    await expect.poll(async () => (await job(request, parent.id)).status).toBe("processing");
    const killed = await request.post(`/api/jobs/${parent.id}/kill`, { headers: auth });
    expect(killed.status()).toBe(200);
    // The worker may have ended it before the answer was written.
    expect(await killed.json()).toMatchObject({ id: parent.id, status: expect.stringMatching(/^(terminating|terminated)$/), desiredStatus: "terminating" });
    await expect.poll(async () => (await job(request, parent.id)).status).toBe("terminated");
    await expect.poll(async () => (await job(request, child.id)).status).toMatch(/^(terminated|cancelled)$/);
    await expectError(await request.post(`/api/jobs/${parent.id}/kill`, { headers: auth }), 400, "jobNotKillable", /already terminated/);

    const readEvents = async () => (await request.get(`/api/v2/storage/events?runId=${parent.runId}`, { headers: auth })).json();
    // The worker writes its last event right after the status.
    await expect.poll(async () => (await readEvents())[0]?.event).toBe("job.finished");
    const events = await readEvents();
    expect(events.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(["job.created", "job.started", "job.terminate", "job.finished"]));
    expect(events[0]).toMatchObject({ event: "job.finished", message: `Job ${parent.id} terminated (requested by demo@jobdeck.local)` });
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
