// Idempotency-Key on the requests that start Storage jobs (Storage API and HarperDB operations),
// through the route handlers: a retry answers the first request's job (202, then 200), another body
// with the key is a 422, concurrent retries make one job, a request that fails leaves the key free,
// and a key a process abandoned mid-request is taken over once its reservation runs out.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { POST as operation } from "@/app/api/operations/route";
import { POST as tablesAsync } from "@/app/api/v2/storage/buckets/[bucketId]/tables-async/route";
import { DELETE as rowsDelete } from "@/app/api/v2/storage/tables/[tableId]/rows/route";
import { db } from "@/lib/db";
import { RESERVATION_LEASE_MS } from "@/lib/jobs/idempotency";
import { createBucket } from "@/lib/storage/buckets";
import { createTestProject, unique } from "@/test/factories";
import { drainStorageJobs, makeFilesDir, uploadText } from "@/test/storage";

const origin = "http://jobdeck.test";
const filesDir = makeFilesDir();

function call(handler: (request: NextRequest, ctx: { params: Promise<never> }) => Promise<Response>, options: { url: string; method: string; token: string; body?: object; key?: string; params?: object }) {
  const request = new NextRequest(`${origin}${options.url}`, {
    method: options.method,
    ...(options.body && { body: JSON.stringify(options.body) }),
    headers: { "X-StorageApi-Token": options.token, "Content-Type": "application/json", ...(options.key !== undefined && { "Idempotency-Key": options.key }) },
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) as Promise<never> });
}

async function setup() {
  const t = await createTestProject();
  const name = unique("idem").replace(/[^A-Za-z0-9_-]/g, "_");
  await createBucket({ db: db(), projectId: t.project.id, input: { name, stage: "in" } });
  const bucketId = `in.c-${name}`;
  const file = await uploadText(t.auth, filesDir, "id,name\n1,Penny\n2,Kato\n");
  const createTable = (body: object, key?: string) =>
    call(tablesAsync, { url: `/api/v2/storage/buckets/${bucketId}/tables-async`, method: "POST", token: t.manage.secret, body, key, params: { bucketId } });
  const storageJobs = () => db().storageJob.count({ where: { projectId: t.project.id } });
  return { ...t, bucketId, name, file, createTable, storageJobs };
}

describe("Idempotency-Key on Storage requests", () => {
  it("answers the first Storage job again (202, then 200 with the same id); another body with the key is a 422", async () => {
    const t = await setup();
    const body = { name: "dogs", dataFileId: String(t.file.id) };
    const first = await t.createTable(body, "table-1");
    expect(first.status).toBe(202);
    const again = await t.createTable(body, "table-1");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const firstJob = await first.json();
    expect(await again.json()).toMatchObject({ id: firstJob.id, operationName: "tableCreate" });
    const other = await t.createTable({ ...body, name: "cats" }, "table-1");
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotencyKeyReused", status: 422 });
    expect(await t.storageJobs()).toBe(1);

    // Once the job ran, the retry still answers it (now finished), and runs nothing again.
    await drainStorageJobs(filesDir);
    const later = await t.createTable(body, "table-1");
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ id: firstJob.id, status: "success" });
    expect(await t.storageJobs()).toBe(1);

    // A key is one request: the same key on another Storage route is another request.
    const rows = await call(rowsDelete, { url: `/api/v2/storage/tables/${t.bucketId}.dogs/rows?whereColumn=id&whereValues[]=1`, method: "DELETE", token: t.manage.secret, key: "table-1", params: { tableId: `${t.bucketId}.dogs` } });
    expect(rows.status).toBe(422);
  });

  it("makes one Storage job of concurrent retries; the others get it or are told to retry", async () => {
    const t = await setup();
    const body = { name: "dogs", dataFileId: String(t.file.id) };
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.createTable(body, "concurrent")));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.every((s) => s === 202 || s === 200 || s === 409)).toBe(true);
    for (const a of answers.filter((a) => a.status === 409)) expect(await a.json()).toMatchObject({ code: "idempotencyKeyInProgress" });
    expect(await t.storageJobs()).toBe(1);
    // After the first request finished, a retry gets its job.
    const retry = await t.createTable(body, "concurrent");
    expect(retry.status).toBe(200);
    expect((await retry.json()).id).toBe((await answers.find((a) => a.status === 202)!.json()).id);
  });

  it("frees the key of a request that failed, and takes over one a dead process left reserved", async () => {
    const t = await setup();
    const missing = await t.createTable({ name: "dogs", dataFileId: "999999999" }, "retry-after-error");
    expect(missing.status).toBe(422);
    expect(await db().idempotencyKey.count({ where: { projectId: t.project.id } })).toBe(0);
    // The corrected request may use the key.
    expect((await t.createTable({ name: "dogs", dataFileId: String(t.file.id) }, "retry-after-error")).status).toBe(202);

    // A process that reserved a key and died: its retry is told to wait while the reservation
    // lasts, then makes the job.
    const body = { name: "cats", dataFileId: String(t.file.id) };
    const first = await t.createTable(body, "abandoned");
    const made = await first.json();
    const key = { projectId_key: { projectId: t.project.id, key: "abandoned" } };
    // Reset to what a dead process leaves: the reservation without its job, just made.
    await db().storageJob.delete({ where: { id: BigInt(made.id) } });
    await db().idempotencyKey.update({ where: key, data: { storageJobId: null, createdAt: new Date() } });
    const waiting = await t.createTable(body, "abandoned");
    expect(waiting.status).toBe(409);
    await db().idempotencyKey.update({ where: key, data: { createdAt: new Date(Date.now() - RESERVATION_LEASE_MS - 1000) } });
    const taken = await t.createTable(body, "abandoned");
    expect(taken.status).toBe(202);
    expect((await taken.json()).id).not.toBe(made.id);
  });
});

describe("Idempotency-Key on HarperDB operations", () => {
  it("answers the first load's job again, refuses the key for another load, and makes one job of concurrent retries", async () => {
    const t = await setup();
    const load = (data: string, key: string) =>
      call(operation, { url: "/api/operations", method: "POST", token: t.manage.secret, body: { operation: "csv_data_load", database: t.name, table: "dogs", data }, key });
    const first = await load("id,name\n1,Penny\n", "load-1");
    expect(first.status).toBe(202);
    const started = (await first.json()) as { job_id: string };
    const again = await load("id,name\n1,Penny\n", "load-1");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual({ message: `Starting job with id ${started.job_id}`, job_id: started.job_id });
    expect((await load("id,name\n2,Kato\n", "load-1")).status).toBe(422);
    expect(await t.storageJobs()).toBe(1);

    const answers = await Promise.all(Array.from({ length: 6 }, () => load("id,name\n3,Rex\n", "load-2")));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.every((a) => [200, 202, 409].includes(a.status))).toBe(true);
    expect(await t.storageJobs()).toBe(2);
    // Reads take no key into account: get_job answers as usual.
    const read = await call(operation, { url: "/api/operations", method: "POST", token: t.manage.secret, body: { operation: "get_job", id: started.job_id }, key: "load-1" });
    expect(read.status).toBe(200);
  });
});
