// Storage over real HTTP: files, tables, Storage jobs processed by the server's worker, and the
// HarperDB-style operations.
import { expect, type APIRequestContext, type APIResponse, test } from "@playwright/test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { auth } from "../fixtures";

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

type StorageJob = { id: string; status: string; tableId: string | null; runId: string | null; results: Record<string, unknown> | null; error: { code: string; message: string } | null; metrics: { inBytes: number; outBytes: number }; creatorToken: { id: string; description: string } };

async function expectError(response: APIResponse, status: number, code: string, mentions?: RegExp) {
  const text = await response.text();
  expect(response.status(), text.slice(0, 300)).toBe(status);
  const body = JSON.parse(text);
  expect(body).toMatchObject({ code, status });
  if (mentions) expect(body.error).toMatch(mentions);
}

async function uploadRaw(request: APIRequestContext, name: string, content: string | Buffer, headers: Record<string, string> = {}) {
  const response = await request.post(`/api/v2/storage/files?name=${encodeURIComponent(name)}&tags[]=e2e`, {
    headers: { ...auth, "Content-Type": "text/csv", ...headers },
    data: Buffer.from(content),
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: string; sizeBytes: number; name: string; tags: string[]; runId: string | null };
}

/** Polls a Storage job until it is final; the worker inside the server runs it. */
async function finished(request: APIRequestContext, accepted: APIResponse): Promise<StorageJob> {
  expect(accepted.status(), await accepted.text()).toBe(202);
  const job = (await accepted.json()) as StorageJob;
  expect(job.status).toBe("waiting");
  let last: StorageJob = job;
  await expect
    .poll(async () => {
      last = await (await request.get(`/api/v2/storage/jobs/${job.id}`, { headers: auth })).json();
      return last.status;
    }, { timeout: 30_000 })
    .toMatch(/^(success|error)$/);
  return last;
}

async function newTable(request: APIRequestContext, csv: string, primaryKey?: string[]) {
  const bucket = `e2e_${unique()}`;
  expect((await request.post("/api/v2/storage/buckets", { headers: auth, data: { name: bucket, stage: "in" } })).status()).toBe(201);
  const file = await uploadRaw(request, "orders.csv", csv);
  const job = await finished(
    request,
    await request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: auth, data: { name: "orders", dataFileId: file.id, ...(primaryKey && { primaryKey }) } }),
  );
  expect(job.status, JSON.stringify(job.error)).toBe("success");
  return { bucket, tableId: `in.c-${bucket}.orders`, file, job };
}

const preview = async (request: APIRequestContext, tableId: string) =>
  (await (await request.get(`/api/v2/storage/tables/${tableId}/data-preview?format=json`, { headers: auth })).json()) as { columns: string[]; rows: string[][] };

test.describe("Storage API", () => {
  test("upload, create a table, import incrementally, export, and download the same bytes", async ({ request }) => {
    // Multipart upload, as Keboola's clients send it.
    const multipart = await request.post("/api/v2/storage/files", {
      headers: { ...auth, "X-KBC-RunId": "4242" },
      multipart: { tags: "first", file: { name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from("id,name,amount\n1,Ann,10\n2,Bob,20\n") } },
    });
    expect(multipart.status(), await multipart.text()).toBe(201);
    const uploaded = await multipart.json();
    expect(uploaded).toMatchObject({ name: "orders.csv", sizeBytes: 33, tags: ["first"], runId: "4242", contentType: "text/csv" });
    expect((await (await request.get(`/api/v2/storage/files?tags[]=first&q=orders`, { headers: auth })).json()).map((f: { id: string }) => f.id)).toContain(uploaded.id);

    const bucket = `e2e_${unique()}`;
    expect((await request.post("/api/v2/storage/buckets", { headers: auth, data: { name: bucket, stage: "in" } })).status()).toBe(201);
    const tableId = `in.c-${bucket}.orders`;
    const created = await finished(
      request,
      await request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: { ...auth, "X-KBC-RunId": "4242" }, data: { name: "orders", dataFileId: uploaded.id, primaryKey: ["id"] } }),
    );
    expect(created).toMatchObject({ status: "success", tableId, runId: "4242", metrics: { inBytes: 33 }, results: { importedRowsCount: 2 } });
    expect(await (await request.get(`/api/v2/storage/tables/${tableId}`, { headers: auth })).json()).toMatchObject({ columns: ["id", "name", "amount"], primaryKey: ["id"], rowsCount: 2 });

    const delta = await uploadRaw(request, "delta.csv", "id,name,amount\n2,Bob,25\n3,Cid,30\n");
    const imported = await finished(request, await request.post(`/api/v2/storage/tables/${tableId}/import-async`, { headers: auth, data: { dataFileId: delta.id, incremental: true } }));
    expect(imported).toMatchObject({ status: "success", operationName: "tableImport", results: { importedRowsCount: 2, totalRowsCount: 3 } });

    const exported = await finished(request, await request.post(`/api/v2/storage/tables/${tableId}/export-async`, { headers: auth }));
    expect(exported.status).toBe("success");
    const fileId = (exported.results!.file as { id: string }).id;
    const download = await request.get(`/api/v2/storage/files/${fileId}/download`, { headers: auth });
    expect(download.status()).toBe(200);
    expect(download.headers()["content-disposition"]).toContain(`filename="${tableId}.csv"`);
    // Keboola's export file: no header, every value quoted.
    const expected = '"1","Ann","10"\n"2","Bob","25"\n"3","Cid","30"\n';
    expect((await download.body()).toString()).toBe(expected);
    expect(exported.metrics.outBytes).toBe(Buffer.byteLength(expected));

    const jobs = await (await request.get(`/api/v2/storage/jobs?tableId=${tableId}`, { headers: auth })).json();
    expect(jobs.map((j: StorageJob) => j.id)).toEqual([exported.id, imported.id, created.id]);
  });

  test("a bad CSV ends its job in error naming the line, and the table stays as it was", async ({ request }) => {
    const { tableId } = await newTable(request, "id,name\n1,Ann\n2,Bob\n", ["id"]);
    const before = await preview(request, tableId);
    const cases: [string, RegExp][] = [
      ["id,name\n3,Cid\n4,Dee,extra\n", /^Line 3: expected 2 values/],
      ['id,name\n3,"Cid\n', /^Line 2: a quoted value opened on this line is never closed/],
      ["id,nom\n3,Cid\n", /^Line 1: the header does not match/],
      ["id,name\n3,Cid\n3,Cyd\n", /^Line 3: primary key id = "3" is already on line 2/],
    ];
    for (const [csv, message] of cases) {
      const file = await uploadRaw(request, "bad.csv", csv);
      const job = await finished(request, await request.post(`/api/v2/storage/tables/${tableId}/import-async`, { headers: auth, data: { dataFileId: file.id, incremental: true } }));
      expect(job.status).toBe("error");
      expect(job.error?.code).toBe("invalidCsv");
      expect(job.error?.message).toMatch(message);
      expect(await preview(request, tableId)).toEqual(before);
    }
    const invalidUtf8 = await uploadRaw(request, "latin1.csv", Buffer.concat([Buffer.from("id,name\n3,Ren"), Buffer.from([0xe9]), Buffer.from("\n")]));
    const job = await finished(request, await request.post(`/api/v2/storage/tables/${tableId}/import-async`, { headers: auth, data: { dataFileId: invalidUtf8.id } }));
    expect(job.error?.message).toMatch(/^Line 2: the file is not valid UTF-8/);
    expect(await preview(request, tableId)).toEqual(before);
  });

  test("snapshots, deletes rows and drops a table", async ({ request }) => {
    const { tableId } = await newTable(request, "id,kind\n1,a\n2,b\n3,a\n");
    const snapshot = await finished(request, await request.post(`/api/v2/storage/tables/${tableId}/snapshots`, { headers: auth }));
    const snapFile = await (await request.get(`/api/v2/storage/files/${(snapshot.results!.file as { id: string }).id}`, { headers: auth })).json();
    expect(snapFile).toMatchObject({ expiresAt: null, tags: expect.arrayContaining(["snapshot"]) });

    const deleted = await finished(request, await request.delete(`/api/v2/storage/tables/${tableId}/rows?whereColumn=kind&whereValues[]=a`, { headers: auth }));
    expect(deleted.results).toMatchObject({ deletedRows: 2, totalRowsCount: 1 });
    expect((await preview(request, tableId)).rows).toEqual([["2", "b"]]);

    // Synchronous by default, as Keboola's table delete answers; `async=1` makes it a Storage job.
    expect((await request.delete(`/api/v2/storage/tables/${tableId}`, { headers: auth })).status()).toBe(204);
    await expectError(await request.get(`/api/v2/storage/tables/${tableId}`, { headers: auth }), 404, "notFound");
  });

  test("HarperDB-style operations start Storage jobs and report them", async ({ request }) => {
    const { tableId, bucket } = await newTable(request, "id,name,created_at\n1,Ann,2020-01-01T00:00:00Z\n", ["id"]);
    const load = await request.post("/api/operations", {
      headers: auth,
      data: { operation: "csv_data_load", schema: `in.c-${bucket}`, table: "orders", action: "upsert", data: "id,name,created_at\n1,Anna,2020-01-01T00:00:00Z\n2,Bo,2030-01-01T00:00:00Z\n" },
    });
    expect(load.status()).toBe(202);
    const started = await load.json();
    expect(started).toEqual({ message: `Starting job with id ${started.job_id}`, job_id: expect.stringMatching(/^\d+$/) });
    await expect
      .poll(async () => (await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: started.job_id } })).json())[0].status, { timeout: 30_000 })
      .toBe("COMPLETE");
    expect((await preview(request, tableId)).rows).toEqual([["1", "Anna", "2020-01-01T00:00:00Z"], ["2", "Bo", "2030-01-01T00:00:00Z"]]);

    const purge = await (await request.post("/api/operations", { headers: auth, data: { operation: "delete_records_before", table: tableId, date: "2025-01-01T00:00:00Z" } })).json();
    await expect
      .poll(async () => (await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: purge.job_id } })).json())[0].status, { timeout: 30_000 })
      .toBe("COMPLETE");
    expect((await preview(request, tableId)).rows).toEqual([["2", "Bo", "2030-01-01T00:00:00Z"]]);

    const exportJob = await (await request.post("/api/operations", { headers: auth, data: { operation: "export_local", table: tableId } })).json();
    await expect
      .poll(async () => (await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: exportJob.job_id } })).json())[0].status, { timeout: 30_000 })
      .toBe("COMPLETE");
    const [done] = await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: exportJob.job_id } })).json();
    expect(done).toMatchObject({ type: "export_local", table: tableId, result: { file: { id: expect.any(String) } } });

    const bad = await request.post("/api/operations", { headers: auth, data: { operation: "csv_data_load", table: tableId, data: "id,name,created_at\n3,Cy\n" } });
    const failed = (await bad.json()).job_id;
    await expect
      .poll(async () => (await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: failed } })).json())[0], { timeout: 30_000 })
      .toMatchObject({ status: "ERROR", message: expect.stringMatching(/^Line 2: expected 3 values/) });

    const today = new Date().toISOString().slice(0, 10);
    const found = await (await request.post("/api/operations", { headers: auth, data: { operation: "search_jobs_by_start_date", from_date: `${today}T00:00:00Z`, to_date: new Date(Date.now() + 60_000).toISOString() } })).json();
    expect(found.map((j: { id: string }) => j.id)).toEqual(expect.arrayContaining([started.job_id, purge.job_id, exportJob.job_id, failed]));

    await expectError(await request.post("/api/operations", { headers: auth, data: { operation: "drop_everything" } }), 422, "invalidInput", /operation/);
    await expectError(await request.post("/api/operations", { headers: auth, data: { operation: "export_local", table: "in.c-nope.none" } }), 404, "notFound");
    await expectError(await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: "999999999" } }), 404, "notFound");
  });

  test("refuses bad names, SQL and path traversal with JSON errors", async ({ request }) => {
    const { tableId, bucket } = await newTable(request, "id\n1\n");
    const cases: [Promise<APIResponse>, number, string, RegExp?][] = [
      [request.post("/api/v2/storage/files?name=..%2F..%2Fetc%2Fpasswd", { headers: auth, data: Buffer.from("x") }), 422, "invalidInput", /name/],
      [request.post("/api/v2/storage/files?name=a.csv%3B%20DROP%20TABLE%20x", { headers: auth, data: Buffer.from("x") }), 422, "invalidInput", /name/],
      [request.post("/api/v2/storage/files", { headers: auth, data: Buffer.from("x") }), 422, "invalidInput", /name/],
      [request.post("/api/v2/storage/files?name=a.csv&tags[]=%27%3B--", { headers: auth, data: Buffer.from("x") }), 422, "invalidInput", /tags/],
      [request.get(`/api/v2/storage/tables/${encodeURIComponent(`${tableId}"; DROP TABLE "File`)}`, { headers: auth }), 404, "notFound"],
      [request.get("/api/v2/storage/tables/..%2F..%2Fetc%2Fpasswd/data-preview", { headers: auth }), 404, "notFound"],
      [request.get("/api/v2/storage/buckets/in.c-x%27%20OR%201%3D1", { headers: auth }), 404, "notFound"],
      [request.get("/api/v2/storage/files/1%20OR%201=1/download", { headers: auth }), 404, "notFound"],
      [request.get("/api/v2/storage/files/999999999/download", { headers: auth }), 404, "notFound"],
      [request.get("/api/v2/storage/jobs/abc", { headers: auth }), 404, "notFound"],
      [request.post("/api/v2/storage/buckets", { headers: auth, data: { name: "x;drop", stage: "in" } }), 422, "invalidInput", /name/],
      [request.post("/api/v2/storage/buckets", { headers: auth, data: { name: bucket, stage: "in" } }), 409, "bucketExists"],
      [request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: auth, data: { name: "t", dataFileId: "999999999" } }), 422, "invalidInput", /dataFileId/],
      [request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: auth, data: { name: "orders", dataFileId: "1" } }), 409, "tableExists"],
      [request.post(`/api/v2/storage/buckets/in.c-${bucket}/tables-async`, { headers: auth, data: { name: "bad name", dataFileId: "1" } }), 422, "invalidInput", /name/],
      [request.post(`/api/v2/storage/tables/${tableId}/import-async`, { headers: auth, data: { dataFileId: "1", incremental: true, action: "update" } }), 422, "invalidInput", /primary key/],
      [request.post(`/api/v2/storage/tables/${tableId}/import-async`, { headers: { ...auth, "X-KBC-RunId": "1.x" }, data: { dataFileId: "1" } }), 400, "invalidRunId"],
      [request.delete(`/api/v2/storage/tables/${tableId}/rows?whereColumn=nope&whereValues[]=1`, { headers: auth }), 422, "invalidInput", /whereColumn/],
      [request.delete(`/api/v2/storage/tables/${tableId}/rows?whereColumn=id`, { headers: auth }), 422, "invalidInput", /whereValues/],
      [request.get("/api/v2/storage/jobs?status=done", { headers: auth }), 422, "invalidInput", /status/],
      [request.get("/api/v2/storage/files?limit=9999", { headers: auth }), 422, "invalidInput", /limit/],
      [request.get("/api/v2/storage/files"), 401, "unauthorized"],
    ];
    for (const [response, status, code, mentions] of cases) await expectError(await response, status, code, mentions);
  });

  test("responses match the OpenAPI document", async ({ request }) => {
    const doc = await (await request.get("/api/openapi.json")).json();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: "doc", components: doc.components }, "doc");
    const check = (name: string, value: unknown, many = false) => {
      const ref = { $ref: `doc#/components/schemas/${name}` };
      const validate = ajv.compile(many ? { type: "array", items: ref } : ref);
      validate(value);
      expect(validate.errors ?? [], `${name} does not match the OpenAPI document`).toEqual([]);
    };
    const { tableId, bucket, job } = await newTable(request, "id,name\n1,Ann\n", ["id"]);
    check("StorageJob", job);
    check("StorageJob", await (await request.get("/api/v2/storage/jobs?limit=20", { headers: auth })).json(), true);
    check("Bucket", await (await request.get(`/api/v2/storage/buckets/in.c-${bucket}`, { headers: auth })).json());
    check("Bucket", await (await request.get("/api/v2/storage/buckets", { headers: auth })).json(), true);
    check("Table", await (await request.get(`/api/v2/storage/tables/${tableId}`, { headers: auth })).json());
    check("Table", await (await request.get("/api/v2/storage/tables", { headers: auth })).json(), true);
    check("File", await (await request.get("/api/v2/storage/files?limit=20", { headers: auth })).json(), true);
    check("HarperJob", await (await request.post("/api/operations", { headers: auth, data: { operation: "get_job", id: job.id } })).json(), true);
    check("Error", await (await request.get("/api/v2/storage/tables/in.c-x.y", { headers: auth })).json());
    for (const path of ["/v2/storage/buckets/{bucketId}/tables-async", "/v2/storage/tables/{tableId}/import-async", "/v2/storage/files/{id}/download", "/operations"]) {
      expect(doc.paths[path]).toBeTruthy();
    }
  });
});
