// The configuration routes called directly (real database, no server): versions, rollback, copy,
// the optimistic version check and the bad input around them.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import * as configRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/route";
import * as rowRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/rows/[row]/route";
import * as rowsRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/rows/route";
import * as sortRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/rows-sort/route";
import * as versionsRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/versions/route";
import * as copyRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/versions/[version]/create/route";
import * as rollbackRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/versions/[version]/rollback/route";
import * as versionRoute from "@/app/api/v2/storage/components/[component]/configs/[config]/versions/[version]/route";
import * as configsRoute from "@/app/api/v2/storage/components/[component]/configs/route";
import * as groupedRoute from "@/app/api/search/grouped-jobs/route";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { decryptValue, isEncrypted } from "@/lib/secrets/secrets";
import { createTestProject } from "@/test/factories";

const origin = "http://jobdeck.test";
const COMPONENT = "jobdeck.generator";
type Handler = (request: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

function caller(token: string) {
  return async (handler: Handler, path: string, params: Record<string, string>, init: { method?: string; body?: unknown } = {}) => {
    const request = new NextRequest(`${origin}/api${path}`, {
      method: init.method ?? "GET",
      headers: { "X-StorageApi-Token": token, host: "jobdeck.test", ...(init.body !== undefined && { "content-type": "application/json" }) },
      ...(init.body !== undefined && { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
    });
    const response = await handler(request, { params: Promise.resolve(params) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown> & Record<string, unknown>[]) : null };
  };
}

async function setup() {
  const { manage, project } = await createTestProject();
  const call = caller(manage.secret);
  const created = await call(configsRoute.POST as Handler, `/v2/storage/components/${COMPONENT}/configs`, { component: COMPONENT }, {
    method: "POST",
    body: { name: "Orders", configuration: { parameters: { rows: 10, "#password": "s3cret" } } },
  });
  expect(created.status).toBe(201);
  const id = created.body!.id as string;
  const base = `/v2/storage/components/${COMPONENT}/configs/${id}`;
  const params = { component: COMPONENT, config: id };
  return { call, id, base, params, project };
}

describe("configuration versions", () => {
  it("keeps every save as a version with who changed what, and reads one back with secrets masked", async () => {
    const { call, base, params } = await setup();
    const saved = await call(configRoute.PUT as Handler, base, params, {
      method: "PUT",
      body: { configuration: { parameters: { rows: 20, "#password": "***" } }, changeDescription: "More rows", version: 1 },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, configuration: { parameters: { rows: 20, "#password": "***" } } });

    const list = await call(versionsRoute.GET as Handler, `${base}/versions`, params);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ version: 2, changeDescription: "More rows", creatorToken: { id: expect.any(String), description: expect.any(String) } }),
      expect.objectContaining({ version: 1, changeDescription: "Configuration created" }),
    ]);
    const v1 = await call(versionRoute.GET as Handler, `${base}/versions/1`, { ...params, version: "1" });
    expect(v1.body).toMatchObject({ version: 1, configuration: { parameters: { rows: 10, "#password": "***" } }, rows: [] });
  });

  it("refuses a save against an older version with 409 and keeps what the first saver wrote", async () => {
    const { call, base, params } = await setup();
    const put = (rows: number) =>
      call(configRoute.PUT as Handler, base, params, { method: "PUT", body: { configuration: { parameters: { rows } }, version: 1 } });
    // Two people who both loaded version 1 save at once: one wins, the other is told.
    const [a, b] = await Promise.all([put(111), put(222)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.body).toMatchObject({ code: "versionConflict", status: 409, field: "version", error: expect.stringMatching(/version 2 after you loaded version 1/) });
    const now = await call(configRoute.GET as Handler, base, params);
    expect(now.body).toMatchObject({ version: 2, configuration: (winner.body as unknown as { configuration: object }).configuration });
    expect((await call(versionsRoute.GET as Handler, `${base}/versions`, params)).body).toHaveLength(2);
    // Without a version (Keboola's clients), saves are not checked.
    expect((await call(configRoute.PUT as Handler, base, params, { method: "PUT", body: { name: "Renamed" } })).status).toBe(200);
  });

  it("rolls back to a version as a new version, secrets as they were stored", async () => {
    const { call, base, params, project } = await setup();
    await call(configRoute.PUT as Handler, base, params, { method: "PUT", body: { name: "Orders v2", configuration: { parameters: { rows: 5, "#password": "changed" } } } });
    await call(rowsRoute.POST as Handler, `${base}/rows`, params, { method: "POST", body: { name: "EU" } });
    const back = await call(rollbackRoute.POST as Handler, `${base}/versions/1/rollback`, { ...params, version: "1" }, { method: "POST", body: {} });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ version: 4, name: "Orders", rows: [], configuration: { parameters: { rows: 10, "#password": "***" } } });
    const stored = await db().configuration.findFirstOrThrow({ where: { projectId: project.id, configId: params.config } });
    const secret = (stored.configuration as { parameters: { "#password": string } }).parameters["#password"];
    expect(isEncrypted(secret) && decryptValue(secret, project.id)).toBe("s3cret");
    const list = await call(versionsRoute.GET as Handler, `${base}/versions`, params);
    expect((list.body as unknown as { changeDescription: string }[])[0]!.changeDescription).toBe("Rollback to version 1");

    for (const version of ["99", "abc", "0"]) {
      const missing = await call(rollbackRoute.POST as Handler, `${base}/versions/${version}/rollback`, { ...params, version }, { method: "POST", body: {} });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: "notFound", error: expect.stringMatching(/Version .* was not found/) });
    }
    const stale = await call(rollbackRoute.POST as Handler, `${base}/versions/2/rollback`, { ...params, version: "2" }, { method: "POST", body: { version: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { code: "versionConflict" } });
  });

  it("copies a version (rows included) and deletes a configuration", async () => {
    const { call, base, params } = await setup();
    await call(rowsRoute.POST as Handler, `${base}/rows`, params, { method: "POST", body: { name: "EU", configuration: { parameters: { rows: 1 } } } });
    const copy = await call(copyRoute.POST as Handler, `${base}/versions/2/create`, { ...params, version: "2" }, { method: "POST", body: { name: "Orders (copy)" } });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ name: "Orders (copy)", version: 1, rows: [{ id: "1", name: "EU" }], configuration: { parameters: { "#password": "***" } } });
    expect(copy.body!.id).not.toBe(params.config);
    expect((await call(configRoute.DELETE as Handler, base, params, { method: "DELETE" })).status).toBe(204);
    expect((await call(configRoute.GET as Handler, base, params)).status).toBe(404);
  });

  it("answers rows that do not exist, bad orders and bad JSON with clear errors", async () => {
    const { call, base, params } = await setup();
    await call(rowsRoute.POST as Handler, `${base}/rows`, params, { method: "POST", body: { name: "A" } });
    await call(rowsRoute.POST as Handler, `${base}/rows`, params, { method: "POST", body: { name: "B" } });
    const missing = await call(rowRoute.PUT as Handler, `${base}/rows/nope`, { ...params, row: "nope" }, { method: "PUT", body: { isDisabled: true } });
    expect(missing).toMatchObject({ status: 404, body: { code: "notFound", error: expect.stringMatching(/Row "nope"/) } });
    const gone = await call(rowRoute.DELETE as Handler, `${base}/rows/nope`, { ...params, row: "nope" }, { method: "DELETE", body: {} });
    expect(gone.status).toBe(404);
    const badOrder = await call(sortRoute.PUT as Handler, `${base}/rows-sort`, params, { method: "PUT", body: { rowsSortOrder: ["2", "x"] } });
    expect(badOrder).toMatchObject({ status: 422, body: { field: "rowsSortOrder", error: expect.stringMatching(/row "x" does not exist/) } });
    const sorted = await call(sortRoute.PUT as Handler, `${base}/rows-sort`, params, { method: "PUT", body: { rowsSortOrder: ["2", "1"] } });
    expect((sorted.body!.rows as { id: string }[]).map((r) => r.id)).toEqual(["2", "1"]);
    const removed = await call(rowRoute.DELETE as Handler, `${base}/rows/1`, { ...params, row: "1" }, { method: "DELETE", body: { changeDescription: "A is obsolete" } });
    expect((removed.body!.rows as { id: string }[]).map((r) => r.id)).toEqual(["2"]);
    const badJson = await call(configRoute.PUT as Handler, base, params, { method: "PUT", body: '{"configuration": {' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ error: expect.any(String), code: expect.any(String) });
  });
});

describe("GET /search/grouped-jobs", () => {
  it("answers the latest jobs of each configuration, groups newest first", async () => {
    const { manage, project, auth } = await createTestProject();
    const call = caller(manage.secret);
    const configs = [];
    for (const name of ["A", "B"]) {
      const c = await call(configsRoute.POST as Handler, `/v2/storage/components/${COMPONENT}/configs`, { component: COMPONENT }, { method: "POST", body: { name } });
      configs.push(c.body!.id as string);
    }
    const jobs = [];
    for (const config of [configs[0], configs[1], configs[0], configs[0]]) {
      jobs.push(await createJob({ db: db(), auth, input: { component: COMPONENT, config, mode: "run" } }));
    }
    const grouped = await call(groupedRoute.GET as Handler, `/search/grouped-jobs?jobsPerGroup=2&componentId=${COMPONENT}`, {});
    expect(grouped.status).toBe(200);
    const groups = grouped.body as unknown as { group: { componentId: string; configId: string }; jobs: { id: string }[] }[];
    expect(groups.map((g) => [g.group.configId, g.jobs.map((j) => j.id)])).toEqual([
      [configs[0], [jobs[3]!.id.toString(), jobs[2]!.id.toString()]],
      [configs[1], [jobs[1]!.id.toString()]],
    ]);
    expect(project.id).toBe(auth.projectId);
    const bad = await call(groupedRoute.GET as Handler, `/search/grouped-jobs?jobsPerGroup=0`, {});
    expect(bad).toMatchObject({ status: 422, body: { field: "jobsPerGroup" } });
    const noComponent = await call(groupedRoute.GET as Handler, `/search/grouped-jobs?groupBy=configId`, {});
    expect(noComponent.status).toBe(422);
  });
});
