// The API's hot reads are answered by the server calling their route handlers itself
// (server/direct-routes.ts); everything else goes through Next.js. Both must give the same answer.
import { expect, type APIResponse, test } from "@playwright/test";
import { auth } from "../fixtures";

const DIRECT = "x-jobdeck-route";
// Headers that must agree between the two paths (the ETag names the URL, so it differs).
const SAME = ["content-type", "cache-control", "x-content-type-options", "referrer-policy", "x-frame-options"];

function headersOf(response: APIResponse) {
  const headers = response.headers();
  return Object.fromEntries(SAME.map((name) => [name, headers[name]]));
}

/** A path Next.js routes (a percent-encoded segment) that names the same job as `/api/jobs/<id>`. */
const throughNext = (id: string) => [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");

test.describe("Direct routes", () => {
  test("a job's detail is the same answer directly and through Next.js, found or not", async ({ request }) => {
    const created = await request.post("/api/jobs", { headers: auth, data: { component: "jobdeck.generator", configData: { durationSeconds: 600 }, mode: "run" } });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const direct = await request.get(`/api/jobs/${id}`, { headers: auth });
    const routed = await request.get(`/api/jobs/${throughNext(id)}`, { headers: auth });
    expect(direct.headers()[DIRECT]).toBe("direct");
    expect(routed.headers()[DIRECT]).toBeUndefined();
    expect(direct.status()).toBe(200);
    expect(routed.status()).toBe(200);
    expect(headersOf(direct)).toEqual(headersOf(routed));
    const [a, b] = [await direct.json(), await routed.json()];
    // The job may move on between the two reads (a worker claims it); what identifies it may not.
    for (const field of ["id", "runId", "component", "url", "project", "token", "createdTime"]) expect(a[field]).toEqual(b[field]);
    expect(a.url).toBe(`${new URL(a.url).origin}/api/jobs/${id}`);

    const missing = "987654321";
    const [gone, goneRouted] = [await request.get(`/api/jobs/${missing}`, { headers: auth }), await request.get(`/api/jobs/${throughNext(missing)}`, { headers: auth })];
    expect(gone.headers()[DIRECT]).toBe("direct");
    expect([gone.status(), goneRouted.status()]).toEqual([404, 404]);
    expect(await gone.json()).toEqual(await goneRouted.json());
    expect(headersOf(gone)).toEqual(headersOf(goneRouted));
    expect((await request.post(`/api/jobs/${id}/kill`, { headers: auth })).status()).toBe(200);
  });

  test("the polled and searched reads answer directly, with the route's errors and conditional answers", async ({ request }) => {
    const job = (await (await request.get("/api/search/jobs?limit=1", { headers: auth })).json())[0] as { id: string; runId: string };
    for (const path of ["/api/search/jobs?limit=2", "/api/search/jobs/counts", `/api/v2/storage/events?runId=${job.runId}&limit=5`]) {
      // no-cache: on PostgreSQL the poll cache may hold this URL's answer from an earlier spec.
      const response = await request.get(path, { headers: { ...auth, "Cache-Control": "no-cache" }, failOnStatusCode: true });
      expect(response.headers()[DIRECT], path).toBe("direct");
      expect(response.headers()["x-content-type-options"]).toBe("nosniff");
      // An answer polled again with its ETag is a 304, as through Next.js.
      const again = await request.get(path, { headers: { ...auth, "If-None-Match": response.headers()["etag"]!, "Cache-Control": "no-cache" } });
      expect(again.status(), path).toBe(304);
      expect(again.headers()["content-length"], path).toBeUndefined();
      expect(again.headers()["etag"]).toBe(response.headers()["etag"]);
    }
    const storageJob = await request.get("/api/v2/storage/jobs/987654321", { headers: auth });
    expect(storageJob.headers()[DIRECT]).toBe("direct");
    expect(storageJob.status()).toBe(404);
    expect((await storageJob.json()).code).toBe("notFound");

    const unauthenticated = await request.get("/api/search/jobs");
    expect(unauthenticated.headers()[DIRECT]).toBe("direct");
    expect(unauthenticated.status()).toBe(401);
    expect((await unauthenticated.json()).code).toBeTruthy();
    const invalid = await request.get("/api/search/jobs?limit=nope", { headers: auth });
    expect(invalid.status()).toBe(422);
    expect(await invalid.json()).toMatchObject({ field: "limit" });
  });

  test("other methods and paths go through Next.js", async ({ request }) => {
    const post = await request.post("/api/search/jobs", { headers: auth });
    expect(post.status()).toBe(405);
    expect(post.headers()[DIRECT]).toBeUndefined();
    const slash = await request.get("/api/search/jobs/", { headers: auth, maxRedirects: 0 });
    expect(slash.status()).toBe(308);
    expect(slash.headers()[DIRECT]).toBeUndefined();
    const other = await request.get("/api/tokens", { headers: auth });
    expect(other.status()).toBe(200);
    expect(other.headers()[DIRECT]).toBeUndefined();
  });
});
