// Part 5 of issue 8, over real HTTP against a real server on PostgreSQL: the database never holds a
// token or session secret; a revoked token and its sessions stop working at once; another project's
// ids answer 404 (never 403) on every route that takes one; a read-only token gets 403 on EVERY
// mutating route, and a session cookie without our Origin gets 403 on every one too (CSRF).
// The mutating routes are read from app/api, so a new route is covered or this test fails.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createToken, hashSecret } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { apiRoutes } from "@/test/faults/api-routes";
import { recordFigure } from "@/test/faults/figures";
import { type JobdeckServer, startJobdeckServer } from "@/test/faults/jobdeck-server";

let server: JobdeckServer;

type Reply = { status: number; json: Record<string, unknown> | null; headers: Headers };
async function call(method: string, pathname: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const response = await fetch(`${server.base}${pathname}`, {
    method,
    headers: { ...(options.token && { "X-StorageApi-Token": options.token }), ...(options.body !== undefined && { "Content-Type": "application/json" }), ...options.headers },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json, headers: response.headers };
}
const id = (r: Reply) => String(r.json!.id);

async function waitForStorageJob(token: string, jobId: string) {
  for (let i = 0; i < 240; i++) {
    const { json } = await call("GET", `/api/v2/storage/jobs/${jobId}`, { token });
    if (json?.status === "success" || json?.status === "error") return json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`storage job ${jobId} did not finish`);
}

/** A project with one of everything: job, bucket, table, file, configuration with a row, Storage job. */
async function seedProject(label: string) {
  const project = await db().project.create({ data: { name: `auth-faults ${label} ${Date.now()}` } });
  const manage = await createToken({ db: db(), projectId: project.id, description: `${label} manager` });
  const read = await createToken({ db: db(), projectId: project.id, description: `${label} reader`, permission: "read" });
  const token = manage.secret;
  const job = await call("POST", "/api/jobs", { token, body: { component: "jobdeck.noop", configData: {}, mode: "run" } });
  expect(job.status).toBe(201);
  expect((await call("POST", "/api/v2/storage/buckets", { token, body: { name: "main", stage: "in" } })).status).toBe(201);
  expect((await call("POST", "/api/v2/storage/buckets", { token, body: { name: "empty", stage: "out" } })).status).toBe(201);
  const file = await call("POST", "/api/v2/storage/files?name=orders.csv", { token, raw: "id,name\n1,Ann\n", headers: { "Content-Type": "text/csv" } });
  expect(file.status).toBe(201);
  const table = await call("POST", "/api/v2/storage/buckets/in.c-main/tables-async", { token, body: { name: "orders", dataFileId: id(file), primaryKey: ["id"] } });
  expect(await waitForStorageJob(token, id(table))).toMatchObject({ status: "success" });
  const config = await call("POST", "/api/v2/storage/components/jobdeck.noop/configs", { token, body: { name: `${label} config` } });
  const row = await call("POST", `/api/v2/storage/components/jobdeck.noop/configs/${id(config)}/rows`, { token, body: { name: "row" } });
  const configMetadata = await call("POST", `/api/v2/storage/components/jobdeck.noop/configs/${id(config)}/metadata`, { token, body: { metadata: [{ key: "auth.faults", value: label }] } });
  expect(configMetadata.status).toBe(201);
  const tableMetadata = await call("POST", "/api/v2/storage/tables/in.c-main.orders/metadata", { token, body: { provider: "user", metadata: [{ key: "auth.faults", value: label }] } });
  expect(tableMetadata.status).toBe(201);
  const componentId = `auth-faults.${label.toLowerCase()}-${Date.now().toString(36)}`;
  expect((await call("POST", "/api/components", { token, body: { id: componentId, name: `${label} component` } })).status).toBe(201);
  const subscription = await call("POST", "/api/project-subscriptions", { token, body: { event: "job-failed", recipient: { channel: "webhook", url: `https://hooks.example.com/${label.toLowerCase()}-secret-hook` } } });
  expect(subscription.status).toBe(201);
  const delivery = await call("POST", `/api/project-subscriptions/${id(subscription)}/test`, { token });
  expect(delivery.status).toBe(202);
  const schedule = await call("POST", "/api/schedules", { token, body: { name: `${label} schedule`, configuration: { schedule: { cronTab: "0 3 * * *" }, target: { componentId: "jobdeck.noop", configurationId: id(config) } } } });
  expect(schedule.status).toBe(201);
  const trigger = await call("POST", "/api/v2/storage/triggers", { token, body: { runWithTokenId: manage.id, component: "jobdeck.noop", configurationId: id(config), coolDownPeriodMinutes: 5, tableIds: ["in.c-main.orders"] } });
  expect(trigger.status).toBe(201);
  return {
    triggerId: id(trigger),
    subscriptionId: id(subscription),
    deliveryId: id(delivery),
    scheduleId: id(schedule),
    componentId,
    project,
    token,
    readToken: read.secret,
    tokenId: String(manage.id),
    readTokenId: String(read.id),
    jobId: id(job),
    runId: String(job.json!.runId),
    bucketId: "in.c-main",
    emptyBucketId: "out.c-empty",
    tableId: "in.c-main.orders",
    fileId: id(file),
    storageJobId: id(table),
    configId: id(config),
    rowId: (row.json as { rows: { id: string }[] }).rows[0]!.id,
    configMetadataId: String((configMetadata.json as unknown as { id: string }[])[0]!.id),
    tableMetadataId: String((tableMetadata.json as unknown as { metadata: { id: string; key: string }[] }).metadata.find((m) => m.key === "auth.faults")!.id),
  };
}
type Seeded = Awaited<ReturnType<typeof seedProject>>;

/** Every mutating (non-GET) method of every route under app/api, read from the source. */
function mutatingRoutes(): string[] {
  return [...apiRoutes()].flatMap(([route, methods]) => methods.filter((m) => m !== "GET").map((m) => `${m} ${route}`)).sort();
}

// Mutations that need no manage permission, and why.
const OPEN_MUTATIONS: Record<string, string> = {
  "POST /api/session": "signing in needs no token header; it checks the token in the body",
  "DELETE /api/session": "signing out ends only the caller's own session",
  "POST /api/[...path]": "no such endpoint: 404 for everyone",
  "PUT /api/[...path]": "no such endpoint: 404 for everyone",
  "DELETE /api/[...path]": "no such endpoint: 404 for everyone",
  "PATCH /api/[...path]": "no such endpoint: 404 for everyone",
  "PUT /api/v2/storage/files/[id]/upload": "the signed upload URL from prepare is the credential (401 without a valid one), for one prepared file",
  "POST /api/v2/storage/files/[id]/upload": "the signed upload URL from prepare is the credential (401 without a valid one), for one prepared file",
};

/** A valid request of each mutating route against the project's own objects. */
function mutationRequests(p: Seeded): Record<string, { path: string; body?: unknown; raw?: string; headers?: Record<string, string> }[]> {
  const cfg = `/api/v2/storage/components/jobdeck.noop/configs/${p.configId}`;
  return {
    "POST /api/jobs": [{ path: "/api/jobs", body: { component: "jobdeck.noop", configData: {}, mode: "run" } }],
    "POST /api/jobs/[id]/kill": [{ path: `/api/jobs/${p.jobId}/kill` }],
    "POST /api/jobs/[id]/run-again": [{ path: `/api/jobs/${p.jobId}/run-again` }],
    "POST /api/operations": [
      { path: "/api/operations", body: { operation: "csv_data_load", schema: p.bucketId, table: "orders", data: "id,name\n2,Bob\n" } },
      { path: "/api/operations", body: { operation: "export_local", table: p.tableId } },
      { path: "/api/operations", body: { operation: "delete_records_before", table: p.tableId, date: "2020-01-01", column: "id" } },
    ],
    "POST /api/components": [{ path: "/api/components", body: { id: `auth-faults.by-reader-${Date.now().toString(36)}`, name: "by a reader" } }],
    "PATCH /api/components/[id]": [{ path: `/api/components/${p.componentId}`, body: { description: "changed by a reader" } }],
    "DELETE /api/components/[id]": [{ path: `/api/components/${p.componentId}` }],
    "POST /api/components/[id]/versions": [{ path: `/api/components/${p.componentId}/versions`, raw: "--x--\r\n", headers: { "Content-Type": "multipart/form-data; boundary=x" } }],
    "POST /api/project-subscriptions": [{ path: "/api/project-subscriptions", body: { event: "job-failed", recipient: { channel: "email", address: "reader@example.com" } } }],
    "DELETE /api/project-subscriptions/[id]": [{ path: `/api/project-subscriptions/${p.subscriptionId}` }],
    "POST /api/project-subscriptions/[id]/test": [{ path: `/api/project-subscriptions/${p.subscriptionId}/test` }],
    "POST /api/project-subscriptions/[id]/deliveries/[deliveryId]/send-again": [{ path: `/api/project-subscriptions/${p.subscriptionId}/deliveries/${p.deliveryId}/send-again` }],
    "POST /api/schedules": [{ path: "/api/schedules", body: { configurationId: "1" } }],
    "PATCH /api/schedules/[id]": [{ path: `/api/schedules/${p.scheduleId}`, body: { state: "disabled" } }],
    "DELETE /api/schedules/[id]": [{ path: `/api/schedules/${p.scheduleId}` }],
    "POST /api/v2/storage/triggers": [{ path: "/api/v2/storage/triggers", body: { runWithTokenId: Number(p.tokenId), component: "jobdeck.noop", configurationId: p.configId, coolDownPeriodMinutes: 1, tableIds: [p.tableId] } }],
    "PUT /api/v2/storage/triggers/[id]": [{ path: `/api/v2/storage/triggers/${p.triggerId}`, body: { coolDownPeriodMinutes: 60 } }],
    "PATCH /api/v2/storage/triggers/[id]": [{ path: `/api/v2/storage/triggers/${p.triggerId}`, body: { coolDownPeriodMinutes: 60 } }],
    "DELETE /api/v2/storage/triggers/[id]": [{ path: `/api/v2/storage/triggers/${p.triggerId}` }],
    "POST /api/tokens": [{ path: "/api/tokens", body: { description: "made by a reader", canManageJobs: true } }],
    "DELETE /api/tokens/[id]": [{ path: `/api/tokens/${p.tokenId}` }],
    "POST /api/v2/storage/buckets": [{ path: "/api/v2/storage/buckets", body: { name: "more", stage: "in" } }],
    "DELETE /api/v2/storage/buckets/[bucketId]": [{ path: `/api/v2/storage/buckets/${p.emptyBucketId}` }],
    "POST /api/v2/storage/buckets/[bucketId]/tables-async": [{ path: `/api/v2/storage/buckets/${p.bucketId}/tables-async`, body: { name: "other", dataFileId: p.fileId } }],
    "POST /api/v2/storage/components/[component]/configs": [{ path: "/api/v2/storage/components/jobdeck.noop/configs", body: { name: "by a reader" } }],
    "PUT /api/v2/storage/components/[component]/configs/[config]": [{ path: cfg, body: { name: "renamed by a reader" } }],
    "POST /api/v2/storage/components/[component]/configs/[config]/metadata": [{ path: `${cfg}/metadata`, body: { metadata: [{ key: "by.reader", value: "1" }] } }],
    "DELETE /api/v2/storage/components/[component]/configs/[config]/metadata/[metadataId]": [{ path: `${cfg}/metadata/${p.configMetadataId}` }],
    "POST /api/v2/storage/tables/[tableId]/metadata": [{ path: `/api/v2/storage/tables/${p.tableId}/metadata`, body: { provider: "user", metadata: [{ key: "by.reader", value: "1" }] } }],
    "DELETE /api/v2/storage/tables/[tableId]/metadata/[metadataId]": [{ path: `/api/v2/storage/tables/${p.tableId}/metadata/${p.tableMetadataId}` }],
    "POST /api/v2/storage/components/[component]/configs/[config]/rows": [{ path: `${cfg}/rows`, body: { name: "row by a reader" } }],
    "PUT /api/v2/storage/components/[component]/configs/[config]/rows/[row]": [{ path: `${cfg}/rows/${p.rowId}`, body: { name: "renamed row" } }],
    "DELETE /api/v2/storage/components/[component]/configs/[config]": [{ path: cfg }],
    "DELETE /api/v2/storage/components/[component]/configs/[config]/rows/[row]": [{ path: `${cfg}/rows/${p.rowId}`, body: {} }],
    "PUT /api/v2/storage/components/[component]/configs/[config]/rows-sort": [{ path: `${cfg}/rows-sort`, body: { rowsSortOrder: [p.rowId] } }],
    "POST /api/v2/storage/components/[component]/configs/[config]/versions/[version]/rollback": [{ path: `${cfg}/versions/1/rollback`, body: {} }],
    "POST /api/v2/storage/components/[component]/configs/[config]/versions/[version]/create": [{ path: `${cfg}/versions/1/create`, body: { name: "copied by a reader" } }],
    "POST /api/v2/storage/events": [{ path: "/api/v2/storage/events", body: { message: "by a reader", type: "info" } }],
    "POST /api/v2/storage/files": [{ path: "/api/v2/storage/files?name=reader.csv", raw: "a\n1\n", headers: { "Content-Type": "text/csv" } }],
    "DELETE /api/v2/storage/files/[id]": [{ path: `/api/v2/storage/files/${p.fileId}` }],
    "POST /api/v2/storage/files/prepare": [
      { path: "/api/v2/storage/files/prepare", body: { name: "reader.csv", sizeBytes: 3 } },
      { path: "/api/v2/storage/files/prepare", raw: "name=reader.csv&sizeBytes=3&federationToken=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } },
    ],
    "DELETE /api/v2/storage/tables/[tableId]": [{ path: `/api/v2/storage/tables/${p.tableId}` }],
    "POST /api/v2/storage/tables/[tableId]/export-async": [{ path: `/api/v2/storage/tables/${p.tableId}/export-async` }],
    "POST /api/v2/storage/tables/[tableId]/import-async": [{ path: `/api/v2/storage/tables/${p.tableId}/import-async`, body: { dataFileId: p.fileId } }],
    "DELETE /api/v2/storage/tables/[tableId]/rows": [{ path: `/api/v2/storage/tables/${p.tableId}/rows?whereColumn=id&whereValues[]=1` }],
    "POST /api/v2/storage/tables/[tableId]/snapshots": [{ path: `/api/v2/storage/tables/${p.tableId}/snapshots` }],
  };
}

/** What a project holds, to show that refused requests changed nothing. */
async function footprint(projectId: number) {
  const [jobs, tokens, revoked, buckets, tables, files, configs, rows, events, storageJobs, jobStatuses, configNames, components, subscriptions, deliveries] = await Promise.all([
    db().job.count({ where: { projectId } }),
    db().token.count({ where: { projectId } }),
    db().token.count({ where: { projectId, revokedAt: { not: null } } }),
    db().bucket.count({ where: { projectId } }),
    db().storageTable.count({ where: { projectId } }),
    db().file.count({ where: { projectId } }),
    db().configuration.count({ where: { projectId } }),
    db().configurationRow.count({ where: { parent: { projectId } } }),
    db().jobEvent.count({ where: { projectId, event: { not: { startsWith: "job." } } } }),
    db().storageJob.count({ where: { projectId } }),
    db().job.findMany({ where: { projectId }, select: { id: true, desiredStatus: true }, orderBy: { id: "asc" } }),
    db().configuration.findMany({ where: { projectId }, select: { name: true, version: true }, orderBy: { pk: "asc" } }),
    db().component.findMany({ where: { projectId }, select: { id: true, description: true, updatedAt: true, _count: { select: { versions: true } } }, orderBy: { id: "asc" } }),
    db().notificationSubscription.count({ where: { projectId } }),
    db().notificationDelivery.count({ where: { projectId } }),
  ]);
  const schedules = await db().schedule.findMany({ where: { projectId }, select: { id: true, state: true, configurationVersion: true }, orderBy: { id: "asc" } });
  const triggers = await db().trigger.findMany({ where: { projectId }, select: { id: true, coolDownPeriodMinutes: true, runWithTokenId: true }, orderBy: { id: "asc" } });
  return { jobs, tokens, revoked, buckets, tables, files, configs, rows, events, storageJobs, jobStatuses, configNames, components, subscriptions, deliveries, schedules, triggers };
}

async function signIn(token: string): Promise<string> {
  const response = await fetch(`${server.base}/api/session`, { method: "POST", headers: { "Content-Type": "application/json", Origin: server.base }, body: JSON.stringify({ token }) });
  expect(response.status).toBe(200);
  return /jobdeck_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")![1]!;
}

let a: Seeded;
let b: Seeded;

beforeAll(async () => {
  server = await startJobdeckServer({ databaseUrl: inject("databaseUrl"), env: { JOBDECK_IN_PROCESS_WORKERS: "1" } });
  a = await seedProject("A");
  b = await seedProject("B");
}, 900_000);

afterAll(async () => {
  await server?.stop();
});

describe("auth over HTTP", () => {
  it("stores only hashes: no token secret or session id anywhere in the database", async () => {
    const made = await call("POST", "/api/tokens", { token: a.token, body: { description: "secret check", canManageJobs: true } });
    expect(made.status).toBe(201);
    const secret = String(made.json!.token);
    const session = await signIn(secret);
    expect((await call("GET", "/api/session", { headers: { Cookie: `jobdeck_session=${session}` } })).status).toBe(200);
    // Every row of every table, as text.
    const tables = await db().$queryRawUnsafe<{ name: string }[]>(`SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    let rowsSearched = 0;
    for (const { name } of tables) {
      const rows = await db().$queryRawUnsafe<{ t: string }[]>(`SELECT t::text AS t FROM public.${name} t`);
      rowsSearched += rows.length;
      for (const { t } of rows) {
        expect(t, name).not.toContain(secret);
        expect(t, name).not.toContain(session);
        expect(t, name).not.toContain(secret.split("-")[1]!);
      }
    }
    expect(rowsSearched).toBeGreaterThan(10);
    const stored = await db().token.findUniqueOrThrow({ where: { id: Number(made.json!.id) } });
    expect(stored.secretHash).toBe(hashSecret(secret));
    expect(await db().session.count({ where: { idHash: hashSecret(session) } })).toBe(1);
  });

  it("refuses a revoked token on the next request, and ends its sessions", async () => {
    const made = await call("POST", "/api/tokens", { token: a.token, body: { description: "to be revoked", canManageJobs: true } });
    const secret = String(made.json!.token);
    const [first, second] = [await signIn(secret), await signIn(secret)];
    expect(await db().session.count({ where: { tokenId: Number(made.json!.id) } })).toBe(2);
    expect((await call("GET", "/api/search/jobs?limit=1", { token: secret })).status).toBe(200);

    expect((await call("DELETE", `/api/tokens/${id(made)}`, { token: a.token })).status).toBe(200);
    expect(await call("GET", "/api/search/jobs?limit=1", { token: secret })).toMatchObject({ status: 401, json: { code: "unauthorized" } });
    expect(await call("POST", "/api/jobs", { token: secret, body: { component: "jobdeck.noop", configData: {} } })).toMatchObject({ status: 401 });
    for (const session of [first, second]) {
      expect(await call("GET", "/api/session", { headers: { Cookie: `jobdeck_session=${session}` } })).toMatchObject({ status: 401, json: { code: "unauthorized" } });
    }
    expect(await db().session.count({ where: { tokenId: Number(made.json!.id) } })).toBe(0);
    // Signing in again with it fails too.
    const again = await fetch(`${server.base}/api/session`, { method: "POST", headers: { "Content-Type": "application/json", Origin: server.base }, body: JSON.stringify({ token: secret }) });
    expect(again.status).toBe(401);
  });

  it("answers 404, never 403, for another project's job, Storage job, file, table, bucket, configuration and token", async () => {
    const before = await footprint(a.project.id);
    // B, with a token that may manage, asks for A's objects by id, on every route that takes one.
    const foreign: [string, string, unknown?][] = [
      ["GET", `/api/jobs/${a.jobId}`],
      ["POST", `/api/jobs/${a.jobId}/kill`],
      ["DELETE", `/api/tokens/${a.tokenId}`],
      ["DELETE", `/api/tokens/${a.readTokenId}`],
      ["GET", `/api/v2/storage/jobs/${a.storageJobId}`],
      ["GET", `/api/v2/storage/files/${a.fileId}`],
      ["GET", `/api/v2/storage/files/${a.fileId}/download`],
      ["DELETE", `/api/v2/storage/files/${a.fileId}`],
      ["POST", "/api/operations", { operation: "get_job", id: a.storageJobId }],
      ["GET", `/api/project-subscriptions/${a.subscriptionId}`],
      ["DELETE", `/api/project-subscriptions/${a.subscriptionId}`],
      ["GET", `/api/project-subscriptions/${a.subscriptionId}/deliveries`],
      ["POST", `/api/project-subscriptions/${a.subscriptionId}/test`],
      ["POST", `/api/project-subscriptions/${a.subscriptionId}/deliveries/${a.deliveryId}/send-again`],
      ["POST", `/api/project-subscriptions/${b.subscriptionId}/deliveries/${a.deliveryId}/send-again`],
      ["GET", `/api/schedules/${a.scheduleId}`],
      ["PATCH", `/api/schedules/${a.scheduleId}`, { state: "disabled" }],
      ["DELETE", `/api/schedules/${a.scheduleId}`],
      ["GET", `/api/v2/storage/triggers/${a.triggerId}`],
      ["PUT", `/api/v2/storage/triggers/${a.triggerId}`, { coolDownPeriodMinutes: 99 }],
      ["DELETE", `/api/v2/storage/triggers/${a.triggerId}`],
      // A trigger of B's that would run with A's token.
      ["POST", "/api/v2/storage/triggers", { runWithTokenId: Number(a.tokenId), component: "jobdeck.noop", configurationId: b.configId, coolDownPeriodMinutes: 1, tableIds: [b.tableId] }],
    ];
    // Bucket and table ids are names, the same in both projects: B must get its own, so A's are
    // reached through ids only A has.
    const onlyA = "in.c-only_a";
    expect((await call("POST", "/api/v2/storage/buckets", { token: a.token, body: { name: "only_a", stage: "in" } })).status).toBe(201);
    const aTable = await call("POST", `/api/v2/storage/buckets/${onlyA}/tables-async`, { token: a.token, body: { name: "secret", dataFileId: a.fileId } });
    expect(await waitForStorageJob(a.token, id(aTable))).toMatchObject({ status: "success" });
    // Configuration ids are numbered per project too: A's is one only A has.
    const aConfig = await call("POST", "/api/v2/storage/components/jobdeck.noop/configs", { token: a.token, body: { configurationId: "only-a-config", name: "A only" } });
    expect(aConfig.status).toBe(201);
    const aRow = await call("POST", "/api/v2/storage/components/jobdeck.noop/configs/only-a-config/rows", { token: a.token, body: { rowId: "only-a-row", name: "A row" } });
    expect(aRow.status).toBe(201);
    const cfg = "/api/v2/storage/components/jobdeck.noop/configs/only-a-config";
    const afterSetup = await footprint(a.project.id);
    foreign.push(
      ["GET", `/api/v2/storage/buckets/${onlyA}`],
      ["DELETE", `/api/v2/storage/buckets/${onlyA}`],
      ["POST", `/api/v2/storage/buckets/${onlyA}/tables-async`, { name: "planted", dataFileId: b.fileId }],
      ["GET", `/api/v2/storage/tables/${onlyA}.secret`],
      ["DELETE", `/api/v2/storage/tables/${onlyA}.secret`],
      ["GET", `/api/v2/storage/tables/${onlyA}.secret/data-preview`],
      ["POST", `/api/v2/storage/tables/${onlyA}.secret/export-async`],
      ["POST", `/api/v2/storage/tables/${onlyA}.secret/import-async`, { dataFileId: b.fileId }],
      ["DELETE", `/api/v2/storage/tables/${onlyA}.secret/rows?whereColumn=id&whereValues[]=1`],
      ["POST", `/api/v2/storage/tables/${onlyA}.secret/snapshots`],
      ["GET", cfg],
      ["PUT", cfg, { name: "taken over" }],
      ["GET", `${cfg}/rows`],
      ["POST", `${cfg}/rows`, { name: "planted" }],
      ["PUT", `${cfg}/rows/only-a-row`, { name: "taken over" }],
      ["POST", "/api/operations", { operation: "export_local", table: `${onlyA}.secret` }],
      ["POST", "/api/operations", { operation: "csv_data_load", schema: onlyA, table: "secret", data: "id,name\n9,x\n" }],
    );
    for (const [method, pathname, body] of foreign) {
      const reply = await call(method, pathname, { token: b.token, body });
      expect({ request: `${method} ${pathname}`, status: reply.status, code: reply.json?.code }).toEqual({ request: `${method} ${pathname}`, status: 404, code: "notFound" });
      expect(JSON.stringify(reply.json)).not.toMatch(/forbidden|another project/i);
    }
    // B's own bucket and table fed with A's file: the same 422 naming the field as for a file that
    // does not exist at all, so the answer tells nothing about A.
    for (const [pathname, body] of [
      [`/api/v2/storage/buckets/${b.bucketId}/tables-async`, { name: "stolen", dataFileId: "__FILE__" }],
      [`/api/v2/storage/tables/${b.tableId}/import-async`, { dataFileId: "__FILE__" }],
    ] as const) {
      const withFile = (fileId: string) => JSON.parse(JSON.stringify(body).replace("__FILE__", fileId)) as unknown;
      const foreignFile = await call("POST", pathname, { token: b.token, body: withFile(a.fileId) });
      const noFile = await call("POST", pathname, { token: b.token, body: withFile("999999999") });
      expect(foreignFile).toMatchObject({ status: 422, json: { code: "invalidInput", field: "dataFileId" } });
      expect(String(foreignFile.json!.error).replace(a.fileId, "N")).toBe(String(noFile.json!.error).replace("999999999", "N"));
    }
    // Lists and searches by A's ids come back empty.
    const lists: [string, RegExp][] = [
      [`/api/search/jobs?id[]=${a.jobId}`, new RegExp(`"id":"${a.jobId}"`)],
      [`/api/search/jobs?runId[]=${a.runId}`, new RegExp(`"id":"${a.jobId}"`)],
      [`/api/v2/storage/events?runId=${a.runId}`, new RegExp(`"runId":"${a.runId}"`)],
      [`/api/v2/storage/files?id[]=${a.fileId}`, new RegExp(`"id":"${a.fileId}"`)],
      [`/api/v2/storage/jobs?id[]=${a.storageJobId}`, new RegExp(`"id":"${a.storageJobId}"`)],
      [`/api/v2/storage/tables?bucketId=${onlyA}`, /only_a/],
      ["/api/v2/storage/buckets", /only_a/],
      ["/api/v2/storage/components/jobdeck.noop/configs", /only-a|A only|A config/],
      ["/api/project-subscriptions", /a-secret-hook/],
    ];
    for (const [pathname, leak] of lists) {
      const reply = await call("GET", pathname, { token: b.token });
      expect(reply.status, pathname).toBe(200);
      expect(JSON.stringify(reply.json), pathname).not.toMatch(leak);
    }
    expect(await footprint(a.project.id)).toEqual(afterSetup);
    expect(afterSetup.jobs).toBe(before.jobs);
    recordFigure("auth", "foreign-id requests answered 404", foreign.length);
  });

  it("refuses a read-only token on every mutating route with 403, changing nothing", async () => {
    const requests = mutationRequests(a);
    const routes = mutatingRoutes().filter((r) => !(r in OPEN_MUTATIONS));
    expect(Object.keys(requests).sort()).toEqual(routes);
    const before = await footprint(a.project.id);
    let refused = 0;
    for (const route of routes) {
      for (const request of requests[route]!) {
        const reply = await call(route.split(" ")[0]!, request.path, { token: a.readToken, body: request.body, raw: request.raw, headers: request.headers });
        expect({ route, status: reply.status, code: reply.json?.code }).toEqual({ route, status: 403, code: "forbidden" });
        refused++;
      }
    }
    expect(await footprint(a.project.id)).toEqual(before);
    // Reads still work with it.
    expect((await call("GET", `/api/jobs/${a.jobId}`, { token: a.readToken })).status).toBe(200);
    expect((await call("POST", "/api/operations", { token: a.readToken, body: { operation: "get_job", id: a.storageJobId } })).status).toBe(200);
    recordFigure("auth", "read-only mutations refused (403)", refused);
  });

  it("refuses cookie-authenticated mutations without our Origin on every mutating route (CSRF)", async () => {
    const session = await signIn(a.token);
    const requests = mutationRequests(a);
    const before = await footprint(a.project.id);
    let refused = 0;
    for (const route of Object.keys(requests)) {
      for (const request of requests[route]!) {
        for (const origin of [undefined, "https://evil.example", "null", `${server.base}.evil.example`]) {
          const headers = { ...request.headers, Cookie: `jobdeck_session=${session}`, ...(origin && { Origin: origin }) };
          const reply = await call(route.split(" ")[0]!, request.path, { body: request.body, raw: request.raw, headers });
          expect({ route, origin, status: reply.status, code: reply.json?.code }).toEqual({ route, origin, status: 403, code: "forbidden" });
          refused++;
        }
      }
    }
    expect(await footprint(a.project.id)).toEqual(before);
    // The same cookie with our own Origin works: the refusals above were about the Origin.
    const ours = await call("POST", "/api/v2/storage/events", { body: { message: "from our own page", type: "info" }, headers: { Cookie: `jobdeck_session=${session}`, Origin: server.base } });
    expect(ours.status).toBe(201);
    recordFigure("auth", "cross-site cookie mutations refused (403)", refused);
  });
});
