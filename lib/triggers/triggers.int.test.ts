// Storage triggers through their route handlers (no server, the bodies as kbcstorage sends them) and
// the due-trigger function, on PGlite and PostgreSQL.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { TOKEN_HEADER } from "@/lib/auth/credentials";
import { db } from "@/lib/db";
import { runDueTriggers } from "@/lib/triggers/triggers";
import { createTestConfig, createTestProject } from "@/test/factories";
import * as list from "@/app/api/v2/storage/triggers/route";
import * as one from "@/app/api/v2/storage/triggers/[id]/route";

const origin = "http://jobdeck.test";
type Handler = (request: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, method: string, path: string, options: { token: string; body?: unknown; form?: string; params?: Record<string, string> }) {
  const body = options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const type = options.form !== undefined ? "application/x-www-form-urlencoded" : "application/json";
  const response = await handler(new NextRequest(`${origin}${path}`, { method, body, headers: { [TOKEN_HEADER]: options.token, "content-type": type } }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function fixture() {
  const f = await createTestProject();
  const bucket = await db().bucket.create({ data: { projectId: f.project.id, bucketId: "in.c-sales", stage: "in", name: "sales" } });
  for (const name of ["orders", "customers"]) {
    await db().storageTable.create({
      data: { projectId: f.project.id, bucketPk: bucket.pk, tableId: `in.c-sales.${name}`, name, displayName: name, columns: ["id"], sqlName: `t${f.project.id}_${name}_${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}` },
    });
  }
  const config = await createTestConfig(f.project.id, "jobdeck.noop");
  const create = (over: object = {}) =>
    call(list.POST as Handler, "POST", "/api/v2/storage/triggers", {
      token: f.manage.secret,
      body: { runWithTokenId: f.manage.id, component: "jobdeck.noop", configurationId: config.configId, coolDownPeriodMinutes: 10, tableIds: ["in.c-sales.orders", "in.c-sales.customers"], ...over },
    });
  const load = (name: string, at: Date) => db().storageTable.update({ where: { projectId_tableId: { projectId: f.project.id, tableId: `in.c-sales.${name}` } }, data: { lastImportDate: at } });
  const jobs = () => db().job.findMany({ where: { projectId: f.project.id, component: "jobdeck.noop" }, select: { tokenId: true, config: true } });
  return { ...f, config, create, load, jobs };
}

describe("/v2/storage/triggers", () => {
  it("creates, lists, reads, updates (a form, as kbcstorage sends it) and deletes a trigger in Keboola's shape", async () => {
    const f = await fixture();
    const made = await f.create();
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      runWithTokenId: f.manage.id,
      component: "jobdeck.noop",
      configurationId: f.config.configId,
      coolDownPeriodMinutes: 10,
      lastRun: null,
      creator: { tokenId: f.manage.id },
      tables: [{ tableId: "in.c-sales.orders" }, { tableId: "in.c-sales.customers" }],
    });
    const params = { id: made.json.id };
    expect((await call(list.GET as Handler, "GET", "/api/v2/storage/triggers", { token: f.read.secret })).json.map((t: { id: string }) => t.id)).toEqual([made.json.id]);
    const form = "coolDownPeriodMinutes=100&tableIds=in.c-sales.orders";
    const updated = await call(one.PUT as Handler, "PUT", `/api/v2/storage/triggers/${made.json.id}`, { token: f.manage.secret, form, params });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ coolDownPeriodMinutes: 100, tables: [{ tableId: "in.c-sales.orders" }] });
    expect((await call(one.GET as Handler, "GET", `/api/v2/storage/triggers/${made.json.id}`, { token: f.read.secret, params })).json.coolDownPeriodMinutes).toBe(100);
    expect((await call(one.DELETE as Handler, "DELETE", `/api/v2/storage/triggers/${made.json.id}`, { token: f.read.secret, params })).status).toBe(403);
    expect((await call(one.DELETE as Handler, "DELETE", `/api/v2/storage/triggers/${made.json.id}`, { token: f.manage.secret, params })).status).toBe(204);
    expect((await call(one.GET as Handler, "GET", `/api/v2/storage/triggers/${made.json.id}`, { token: f.manage.secret, params })).status).toBe(404);
  });

  it("answers bad input with a JSON error naming the field, and makes nothing", async () => {
    const f = await fixture();
    const other = await createTestProject();
    const cases: [object, number, string][] = [
      [{ runWithTokenId: other.manage.id }, 404, "runWithTokenId"],
      [{ runWithTokenId: f.read.id }, 422, "runWithTokenId"],
      [{ component: "no.such-component" }, 404, "component"],
      [{ configurationId: "no-such-config" }, 404, "configurationId"],
      [{ tableIds: ["in.c-sales.missing"] }, 404, "tableIds.0"],
      [{ tableIds: [] }, 422, "tableIds"],
      [{ tableIds: ["orders"] }, 422, "tableIds.0"],
      [{ coolDownPeriodMinutes: 0 }, 422, "coolDownPeriodMinutes"],
      [{ coolDownPeriodMinutes: "soon" }, 422, "coolDownPeriodMinutes"],
      [{ unknownField: 1 }, 422, ""],
    ];
    for (const [over, status, field] of cases) {
      const reply = await f.create(over);
      expect({ over, status: reply.status, field: reply.json.field ?? "" }).toEqual({ over, status, field });
      expect(reply.json).toMatchObject({ code: expect.any(String), error: expect.any(String) });
    }
    expect(await db().trigger.count({ where: { projectId: f.project.id } })).toBe(0);
  });

  it("runs the configuration once every table was loaded since the last run, with the trigger's token, then waits out the cool-down", async () => {
    const f = await fixture();
    const made = await f.create();
    const createdAt = new Date(made.json.created).getTime();
    const at = (minutes: number) => new Date(createdAt + minutes * 60_000);

    await f.load("orders", at(1));
    expect(await runDueTriggers({ db: db(), now: at(2) })).toEqual([]);
    await f.load("customers", at(3));
    // Three callers at once (on PostgreSQL, three connections): one job.
    const fired = (await Promise.all([1, 2, 3].map(() => runDueTriggers({ db: db(), now: at(4) })))).flat();
    expect(fired).toEqual([{ triggerId: Number(made.json.id), jobId: expect.any(BigInt), reason: null }]);
    expect(await f.jobs()).toEqual([{ tokenId: f.manage.id, config: f.config.configId }]);
    // The same loads never fire twice, from any number of callers.
    expect(await runDueTriggers({ db: db(), now: at(5) })).toEqual([]);

    // Both tables loaded again inside the cool-down (10 minutes from the run at minute 4): it waits, then fires once.
    await f.load("orders", at(6));
    await f.load("customers", at(7));
    expect(await runDueTriggers({ db: db(), now: at(9) })).toEqual([]);
    expect(await runDueTriggers({ db: db(), now: at(14) })).toHaveLength(1);
    expect(await f.jobs()).toHaveLength(2);
    expect((await db().trigger.findUniqueOrThrow({ where: { id: Number(made.json.id) } })).lastRun).toEqual(at(14));
  });

  it("records why no job was made when the token was revoked meanwhile, and does not retry those loads", async () => {
    const f = await fixture();
    const made = await f.create();
    const createdAt = new Date(made.json.created).getTime();
    await f.load("orders", new Date(createdAt + 60_000));
    await f.load("customers", new Date(createdAt + 60_000));
    await db().token.update({ where: { id: f.manage.id }, data: { revokedAt: new Date() } });
    const outcome = await runDueTriggers({ db: db(), now: new Date(createdAt + 120_000) });
    expect(outcome).toEqual([{ triggerId: Number(made.json.id), jobId: null, reason: expect.stringMatching(/revoked/) }]);
    expect(await runDueTriggers({ db: db(), now: new Date(createdAt + 3_600_000) })).toEqual([]);
    expect(await f.jobs()).toEqual([]);
  });
});
