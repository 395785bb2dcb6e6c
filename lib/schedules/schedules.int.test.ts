// Schedules through their route handlers (no server) and the due-slot function, on PGlite and PostgreSQL.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { TOKEN_HEADER } from "@/lib/auth/credentials";
import { db } from "@/lib/db";
import { runDueSchedules } from "@/lib/schedules/run-due-schedules";
import { createTestProject, unique } from "@/test/factories";
import * as list from "@/app/api/schedules/route";
import * as one from "@/app/api/schedules/[id]/route";
import * as preview from "@/app/api/schedules/preview/route";

const origin = "http://jobdeck.test";
type Handler = (request: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, method: string, path: string, options: { token: string; body?: unknown; raw?: string; params?: Record<string, string> }) {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await handler(new NextRequest(`${origin}${path}`, { method, body, headers: { [TOKEN_HEADER]: options.token, "content-type": "application/json" } }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function fixture() {
  const { project, manage, read, auth } = await createTestProject();
  const target = await db().configuration.create({
    data: { projectId: project.id, componentId: "jobdeck.noop", configId: unique("cfg"), name: "Nightly export", rows: { create: [{ rowId: "r1", name: "Row one" }] } },
  });
  const activate = (configuration: unknown, name = "Every minute") => call(list.POST as Handler, "POST", "/api/schedules", { token: manage.secret, body: { name, configuration } });
  const body = (over: { schedule?: object; target?: object } = {}) => ({
    schedule: { cronTab: "* * * * *", timezone: "UTC", state: "enabled", ...over.schedule },
    target: { componentId: "jobdeck.noop", configurationId: target.configId, mode: "run", ...over.target },
  });
  return { project, manage, read, auth, target, activate, body };
}

describe("POST /api/schedules", () => {
  it("creates and activates a schedule with its own hashed token, answered as Keboola's Scheduler API does", async () => {
    const f = await fixture();
    const reply = await f.activate(f.body({ schedule: { cronTab: "30 2 * * *", timezone: "Europe/Prague" }, target: { configurationRowIds: ["r1"] } }));
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      tokenId: expect.stringMatching(/^\d+$/),
      configurationId: expect.any(String),
      configurationVersionId: "1",
      schedule: { cronTab: "30 2 * * *", timezone: "Europe/Prague", state: "enabled" },
      target: { componentId: "jobdeck.noop", configurationId: f.target.configId, configurationRowIds: ["r1"], mode: "run", tag: "" },
      executions: [],
      name: "Every minute",
      targetName: "Nightly export",
      broken: null,
      cronDescription: "At 02:30",
    });
    expect(reply.json.nextRuns).toHaveLength(5);
    const token = await db().token.findUniqueOrThrow({ where: { id: Number(reply.json.tokenId) } });
    expect(token).toMatchObject({ projectId: f.project.id, description: "Scheduler: Every minute", revokedAt: null });
    expect(token.secretHash).toMatch(/^[0-9a-f]{64}$/);
    // The configuration exists as Keboola's keboola.scheduler configuration, and activating it again keeps the schedule.
    const config = await db().configuration.findFirstOrThrow({ where: { projectId: f.project.id, componentId: "keboola.scheduler", configId: reply.json.configurationId } });
    expect(config.configuration).toMatchObject({ schedule: { cronTab: "30 2 * * *" } });
    const again = await call(list.POST as Handler, "POST", "/api/schedules", { token: f.manage.secret, body: { configurationId: reply.json.configurationId } });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(reply.json.id);
    const listed = await call(list.GET as Handler, "GET", `/api/schedules?componentId=jobdeck.noop&configurationId=${f.target.configId}`, { token: f.manage.secret });
    expect(listed.json.map((s: { id: string }) => s.id)).toEqual([reply.json.id]);
  });

  it("answers bad input with a JSON error naming the field, and leaves nothing behind", async () => {
    const f = await fixture();
    const other = await createTestProject();
    const foreign = await db().configuration.create({ data: { projectId: other.project.id, componentId: "jobdeck.noop", configId: unique("theirs"), name: "Theirs" } });
    const cases: [unknown, number, string][] = [
      [f.body({ schedule: { cronTab: "61 * * * *" } }), 422, "configuration.schedule.cronTab"],
      [f.body({ schedule: { cronTab: "every minute" } }), 422, "configuration.schedule.cronTab"],
      [f.body({ schedule: { timezone: "Mars/Olympus" } }), 422, "configuration.schedule.timezone"],
      [f.body({ schedule: { state: "sometimes" } }), 422, "configuration.schedule.state"],
      [f.body({ target: { configurationRowIds: ["r1", "nope"] } }), 404, "configuration.target.configurationRowIds.1"],
      [f.body({ target: { configurationId: foreign.configId } }), 404, "configuration.target.configurationId"],
      [f.body({ target: { componentId: "no.such-component" } }), 404, "configuration.target.componentId"],
      [{ schedule: { cronTab: "* * * * *" } }, 422, "configuration.target"],
    ];
    for (const [configuration, status, field] of cases) {
      const reply = await f.activate(configuration);
      expect({ field, status: reply.status, json: reply.json }).toMatchObject({ field, status, json: { field, error: expect.any(String), code: expect.any(String), status } });
    }
    // Another project's schedule configuration is not found here.
    const theirs = await call(list.POST as Handler, "POST", "/api/schedules", { token: other.manage.secret, body: { name: "Theirs", configuration: { ...f.body(), target: { componentId: "jobdeck.noop", configurationId: foreign.configId } } } });
    expect(theirs.status).toBe(201);
    const stolen = await call(list.POST as Handler, "POST", "/api/schedules", { token: f.manage.secret, body: { configurationId: theirs.json.configurationId } });
    expect(stolen).toMatchObject({ status: 404, json: { field: "configurationId", code: "notFound" } });
    expect((await call(one.GET as Handler, "GET", `/api/schedules/${theirs.json.id}`, { token: f.manage.secret, params: { id: theirs.json.id } })).status).toBe(404);
    expect((await call(list.POST as Handler, "POST", "/api/schedules", { token: f.manage.secret, raw: "{not json" })).status).toBe(400);
    expect((await call(list.POST as Handler, "POST", "/api/schedules", { token: f.manage.secret, body: {} })).json).toMatchObject({ status: 422, field: "configurationId" });
    expect(await db().configuration.count({ where: { projectId: f.project.id, componentId: "keboola.scheduler" } })).toBe(0);
    expect(await db().schedule.count({ where: { projectId: f.project.id } })).toBe(0);
  });
});

describe("GET /api/schedules/preview", () => {
  it("reads a cronTab in a time zone as the scheduler does, for any token of the project, and names what is wrong", async () => {
    const f = await fixture();
    const ask = (query: Record<string, string>, token = f.read.secret) =>
      call(preview.GET as Handler, "GET", `/api/schedules/preview?${new URLSearchParams(query)}`, { token });
    const now = Date.now();
    const answer = await ask({ cronTab: " 30 2 * * 1-5 ", timezone: "Europe/Prague" });
    expect(answer).toMatchObject({ status: 200, json: { cronTab: "30 2 * * 1-5", timezone: "Europe/Prague", description: "At 02:30, Monday through Friday" } });
    const runs = (answer.json.nextRuns as string[]).map((iso) => new Date(iso));
    expect(runs).toHaveLength(5);
    // Each one 02:30 in Prague on a weekday, after now, in order.
    for (const [i, run] of runs.entries()) {
      expect(run.getTime()).toBeGreaterThan(i === 0 ? now : runs[i - 1]!.getTime());
      const prague = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Prague", weekday: "short", hour: "2-digit", minute: "2-digit" }).format(run);
      expect(prague).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 02:30$/);
    }
    expect((await ask({ cronTab: "* * * * *" })).json).toMatchObject({ timezone: "UTC", description: "Every minute" });

    expect(await ask({ cronTab: "61 * * * *" })).toMatchObject({ status: 422, json: { code: "invalidInput", field: "cronTab", error: expect.stringMatching(/^cronTab: "61 \* \* \* \*" is not a valid cron expression/) } });
    expect(await ask({ cronTab: "0 2 * *" })).toMatchObject({ status: 422, json: { field: "cronTab", error: expect.stringContaining("must have five fields") } });
    expect(await ask({ cronTab: "0 0 30 2 *" })).toMatchObject({ status: 422, json: { field: "cronTab", error: expect.stringContaining("never runs") } });
    expect(await ask({ cronTab: "0 2 * * *", timezone: "Mars/Olympus" })).toMatchObject({ status: 422, json: { field: "timezone", error: expect.stringContaining("is not a time zone") } });
    expect(await ask({ timezone: "UTC" })).toMatchObject({ status: 422, json: { field: "cronTab" } });
    expect(await ask({ cronTab: "* * * * *" }, "not-a-token")).toMatchObject({ status: 401 });
  });
});

describe("due slots", () => {
  it("makes one catch-up job for the latest missed slot, under the schedule's token, and nothing more", async () => {
    const f = await fixture();
    const reply = await f.activate(f.body());
    const id = Number(reply.json.id);
    // Nothing ran for ten and a half minutes.
    await db().schedule.update({ where: { id }, data: { nextSlotAt: new Date("2026-01-01T10:01:00Z") } });
    const outcomes = (await runDueSchedules({ db: db(), now: new Date("2026-01-01T10:10:30Z") })).filter((o) => o.scheduleId === id);
    expect(outcomes).toEqual([{ scheduleId: id, slot: new Date("2026-01-01T10:10:00Z"), missed: 9, jobId: expect.any(BigInt), reason: null }]);
    const job = await db().job.findUniqueOrThrow({ where: { id: outcomes[0]!.jobId! } });
    expect(job).toMatchObject({ tokenId: Number(reply.json.tokenId), component: "jobdeck.noop", config: f.target.configId, status: "created" });
    // The slot is done: the same moment again makes nothing.
    expect((await runDueSchedules({ db: db(), now: new Date("2026-01-01T10:10:30Z") })).filter((o) => o.scheduleId === id)).toEqual([]);
    const shown = await call(one.GET as Handler, "GET", `/api/schedules/${id}`, { token: f.manage.secret, params: { id: String(id) } });
    expect(shown.json.executions).toEqual([
      { jobId: job.id.toString(), executionTime: "2026-01-01T10:10:30.000Z", slotTime: "2026-01-01T10:10:00.000Z", status: "created", reason: null, missedSlots: 9 },
    ]);
    expect(await db().scheduleExecution.count({ where: { scheduleId: id } })).toBe(1);
  });

  it("records the slot of a schedule whose target was deleted as failed, with the reason, and shows it broken", async () => {
    const f = await fixture();
    const reply = await f.activate(f.body());
    const id = Number(reply.json.id);
    await db().configuration.delete({ where: { pk: f.target.pk } });
    await db().schedule.update({ where: { id }, data: { nextSlotAt: new Date("2026-01-02T08:00:00Z") } });
    const [outcome] = (await runDueSchedules({ db: db(), now: new Date("2026-01-02T08:00:02Z") })).filter((o) => o.scheduleId === id);
    expect(outcome).toMatchObject({ jobId: null, reason: expect.stringMatching(/not found/) });
    const shown = await call(one.GET as Handler, "GET", `/api/schedules/${id}`, { token: f.manage.secret, params: { id: String(id) } });
    expect(shown.json.broken).toEqual({ reason: expect.stringContaining(f.target.configId) });
    expect(shown.json.executions).toEqual([expect.objectContaining({ status: "failed", jobId: null, reason: expect.stringContaining("not found"), slotTime: "2026-01-02T08:00:00.000Z" })]);
    // The schedule goes on to its next slot instead of retrying this one.
    expect((await db().schedule.findUniqueOrThrow({ where: { id } })).nextSlotAt).toEqual(new Date("2026-01-02T08:01:00Z"));
  });

  it("pauses and resumes: the configuration gets a new version, a paused schedule has no slots", async () => {
    const f = await fixture();
    const reply = await f.activate(f.body());
    const id = reply.json.id as string;
    const paused = await call(one.PATCH as Handler, "PATCH", `/api/schedules/${id}`, { token: f.manage.secret, body: { state: "disabled" }, params: { id } });
    expect(paused.json).toMatchObject({ schedule: { state: "disabled" }, configurationVersionId: "2", nextRuns: [] });
    expect((await db().schedule.findUniqueOrThrow({ where: { id: Number(id) } })).nextSlotAt).toBeNull();
    const config = await db().configuration.findFirstOrThrow({ where: { projectId: f.project.id, componentId: "keboola.scheduler" } });
    expect(config.configuration).toMatchObject({ schedule: { state: "disabled", cronTab: "* * * * *" } });
    expect((await runDueSchedules({ db: db(), now: new Date(Date.now() + 3_600_000) })).filter((o) => o.scheduleId === Number(id))).toEqual([]);
    const resumed = await call(one.PATCH as Handler, "PATCH", `/api/schedules/${id}`, { token: f.manage.secret, body: { state: "enabled" }, params: { id } });
    expect(resumed.json).toMatchObject({ schedule: { state: "enabled" }, configurationVersionId: "3" });
    expect(new Date(resumed.json.nextRuns[0]).getTime()).toBeGreaterThan(Date.now() - 1000);
    const bad = await call(one.PATCH as Handler, "PATCH", `/api/schedules/${id}`, { token: f.manage.secret, body: { configuration: f.body({ schedule: { cronTab: "* * *" } }) }, params: { id } });
    expect(bad.json).toMatchObject({ status: 422, field: "configuration.schedule.cronTab" });
    expect((await db().configuration.findFirstOrThrow({ where: { pk: config.pk } })).version).toBe(3);
  });

  it("deletes a schedule and revokes its token", async () => {
    const f = await fixture();
    const reply = await f.activate(f.body());
    const id = reply.json.id as string;
    expect((await call(one.DELETE as Handler, "DELETE", `/api/schedules/${id}`, { token: f.manage.secret, params: { id } })).status).toBe(204);
    expect((await db().token.findUniqueOrThrow({ where: { id: Number(reply.json.tokenId) } })).revokedAt).not.toBeNull();
    expect((await call(one.GET as Handler, "GET", `/api/schedules/${id}`, { token: f.manage.secret, params: { id } })).status).toBe(404);
  });
});
