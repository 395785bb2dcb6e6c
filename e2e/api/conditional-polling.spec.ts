// Conditional polling over HTTP: every answer the dashboard polls carries an ETag, an unchanged
// one answers 304 from one query, and a change (or a revoked token) shows on the very next poll.
import { expect, type APIRequestContext, test } from "@playwright/test";
import { auth } from "../fixtures";

async function conditional(request: APIRequestContext, path: string, headers: Record<string, string> = auth) {
  const first = await request.get(path, { headers });
  expect(first.status(), await first.text()).toBe(200);
  const etag = first.headers()["etag"]!;
  expect(etag).toMatch(/^W\/"/);
  expect(first.headers()["cache-control"]).toBe("private, no-cache");
  const poll = () => request.get(path, { headers: { ...headers, "If-None-Match": etag } });
  return { etag, body: await first.json(), poll };
}

async function newJob(request: APIRequestContext, headers: Record<string, string> = {}) {
  const response = await request.post("/api/jobs", { headers: { ...auth, ...headers }, data: { component: "jobdeck.generator", configData: { durationSeconds: 600 }, mode: "run" } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string; runId: string };
}

test.describe("Conditional polling", () => {
  test("the jobs list and its counts answer 304 until a job is created, then the new rows at once", async ({ request }) => {
    const list = await conditional(request, "/api/search/jobs?rootOnly=true&sortBy=id&sortOrder=desc&limit=50");
    const counts = await conditional(request, "/api/search/jobs/counts?rootOnly=true");
    // Other specs create jobs meanwhile: an unchanged poll is a 304, a changed one a fresh answer.
    expect([200, 304]).toContain((await list.poll()).status());
    const job = await newJob(request);
    const changed = await list.poll();
    expect(changed.status()).toBe(200);
    expect(changed.headers()["etag"]).not.toBe(list.etag);
    expect((await changed.json()).map((j: { id: string }) => j.id)).toContain(job.id);
    const recount = await counts.poll();
    expect(recount.status()).toBe(200);
    expect((await recount.json()).total).toBeGreaterThan(counts.body.total);
    expect((await request.post(`/api/jobs/${job.id}/kill`, { headers: auth })).status()).toBe(200);
  });

  test("a run's children answer 304 until one of them changes", async ({ request }) => {
    const parent = await newJob(request);
    // Claimed by a worker first: a status change of the parent is a change of its subtree.
    await expect.poll(async () => (await (await request.get(`/api/jobs/${parent.id}`, { headers: auth })).json()).status).toBe("processing");
    const children = await conditional(request, `/api/search/jobs?parentRunId=${parent.runId}&sortBy=id&sortOrder=asc&limit=100`);
    expect(children.body).toEqual([]);
    expect((await children.poll()).status()).toBe(304);
    // A job elsewhere in the project leaves this run's children alone.
    const elsewhere = await newJob(request);
    expect((await children.poll()).status()).toBe(304);
    const child = await newJob(request, { "X-KBC-RunId": parent.runId });
    const changed = await children.poll();
    expect(changed.status()).toBe(200);
    expect((await changed.json()).map((j: { id: string }) => j.id)).toEqual([child.id]);
    for (const id of [parent.id, elsewhere.id]) expect((await request.post(`/api/jobs/${id}/kill`, { headers: auth })).status()).toBe(200);
  });

  test("a killed job has a new ETag on the next poll", async ({ request }) => {
    const job = await newJob(request);
    const detail = await conditional(request, `/api/jobs/${job.id}`);
    expect(["created", "waiting", "processing"]).toContain(detail.body.status);
    expect((await request.post(`/api/jobs/${job.id}/kill`, { headers: auth })).status()).toBe(200);
    const changed = await detail.poll();
    expect(changed.status()).toBe(200);
    expect((await changed.json()).status).toMatch(/terminating|terminated|cancelled/);
  });

  test("a revoked token is refused at once, even with an ETag that still matches", async ({ request }) => {
    const made = await request.post("/api/tokens", { headers: auth, data: { description: `poller ${Date.now()}`, canManageJobs: false } });
    const { id, token } = await made.json();
    const headers = { "X-StorageApi-Token": token };
    const list = await conditional(request, "/api/search/jobs/counts", headers);
    expect([200, 304]).toContain((await list.poll()).status());
    expect((await request.delete(`/api/tokens/${id}`, { headers: auth })).status()).toBe(200);
    for (const response of [await list.poll(), await request.get("/api/jobs/1", { headers: { ...headers, "If-None-Match": list.etag } })]) {
      expect(response.status()).toBe(401);
      expect(await response.json()).toMatchObject({ code: "unauthorized", status: 401, error: expect.stringMatching(/revoked/) });
    }
  });

  test("the server answers unchanged polls itself, with the same headers and bytes", async ({ request }) => {
    // It hears changes from PostgreSQL's LISTEN, or from the embedded database's own connection.
    const job = await newJob(request);
    expect((await request.post(`/api/jobs/${job.id}/kill`, { headers: auth })).status()).toBe(200);
    await expect.poll(async () => (await (await request.get(`/api/jobs/${job.id}`, { headers: auth })).json()).isFinished).toBe(true);
    const detail = await conditional(request, `/api/jobs/${job.id}`);
    // A write through the server makes it forget what it knew of the project: Next.js answers next.
    expect((await request.post("/api/v2/storage/events", { headers: auth, data: { message: "a project-wide note" } })).status()).toBe(201);
    const fromRoute = await detail.poll();
    expect(fromRoute.status()).toBe(304);
    expect(fromRoute.headers()["x-jobdeck-cache"]).toBeUndefined();
    const unchanged = await detail.poll();
    expect(unchanged.status()).toBe(304);
    expect(unchanged.headers()["x-jobdeck-cache"]).toBe("hit");
    for (const name of ["etag", "cache-control", "x-content-type-options", "x-frame-options", "referrer-policy"]) {
      expect(unchanged.headers()[name], name).toBe(fromRoute.headers()[name]);
    }
    // Next.js adds its page-router headers (RSC) to Vary; what varies an API answer is the credential.
    expect(unchanged.headers()["vary"]).toContain("Cookie, X-StorageApi-Token");
    // A client that asks caches to revalidate (a hard reload) is answered by the route.
    const reloaded = await request.get(`/api/jobs/${job.id}`, { headers: { ...auth, "If-None-Match": detail.etag, "Cache-Control": "no-cache" } });
    expect(reloaded.status()).toBe(304);
    expect(reloaded.headers()["x-jobdeck-cache"]).toBeUndefined();
    // Another caller of the project, without an ETag yet: the kept answer, gzipped as Next.js would.
    const reader = await request.post("/api/tokens", { headers: auth, data: { description: `reader ${Date.now()}`, canManageJobs: false } });
    const { token } = await reader.json();
    await request.get(`/api/jobs/${job.id}`, { headers: { "X-StorageApi-Token": token } });
    const fresh = await request.get(`/api/jobs/${job.id}`, { headers: { "X-StorageApi-Token": token, "Accept-Encoding": "gzip" } });
    expect(fresh.status()).toBe(200);
    expect(fresh.headers()["x-jobdeck-cache"]).toBe("hit");
    expect(fresh.headers()["content-type"]).toMatch(/^application\/json/);
    expect(fresh.headers()["etag"]).toBe(detail.etag);
    expect(await fresh.json()).toEqual(detail.body);
  });

  test("a job a worker finishes shows on the next poll, though the server had been answering it itself", async ({ request }) => {
    const created = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", configData: { durationSeconds: 3 }, mode: "run" } });
    const job = (await created.json()) as { id: string };
    await expect.poll(async () => (await (await request.get(`/api/jobs/${job.id}`, { headers: auth })).json()).status).toBe("processing");
    // Poll as a dashboard does, holding the latest ETag: 304s (some from the server itself) until
    // the worker's writes, which reach the server only as the database's notifications, change it.
    let held = await conditional(request, `/api/jobs/${job.id}`);
    let hits = 0;
    await expect
      .poll(async () => {
        const response = await held.poll();
        if (response.headers()["x-jobdeck-cache"] === "hit") hits += 1;
        if (response.status() === 200) {
          const body = await response.json();
          const etag = response.headers()["etag"]!;
          held = { etag, body, poll: () => request.get(`/api/jobs/${job.id}`, { headers: { ...auth, "If-None-Match": etag } }) };
        }
        return held.body.status;
      }, { timeout: 30_000 })
      .toBe("success");
    expect(hits).toBeGreaterThan(0);
  });

  test("malformed polls still get their JSON 422, never a 5xx", async ({ request }) => {
    for (const path of ["/api/search/jobs?parentRunId=1%00", "/api/search/jobs?parentRunId=x&limit=1", "/api/search/jobs/counts?status=fine"]) {
      for (const headers of [auth, { ...auth, "If-None-Match": '"x"' }]) {
        const response = await request.get(path, { headers });
        expect(response.status(), path).toBe(422);
        expect(await response.json()).toMatchObject({ code: "invalidInput", status: 422 });
      }
    }
  });

  test("an unknown job is still a JSON 404, with or without If-None-Match", async ({ request }) => {
    for (const headers of [auth, { ...auth, "If-None-Match": '"x"' }]) {
      const response = await request.get("/api/jobs/999999999999", { headers });
      expect(response.status()).toBe(404);
      expect(await response.json()).toMatchObject({ code: "notFound", status: 404 });
    }
  });
});
