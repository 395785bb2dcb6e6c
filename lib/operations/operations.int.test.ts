// Each HarperDB operation on /api/operations: the loads (from a server-side file, a URL the test
// serves, an S3 object on s3rver, inline CSV), export_to_s3, the job answers in HarperDB's shape,
// Basic auth, and the refusals (paths outside JOBDECK_CSV_LOAD_DIR, symlinks leading out).
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/operations/route";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { runHarperOperation } from "@/lib/operations/run-operation";
import { harperJobSchema, operationSchema } from "@/lib/schemas/operations";
import { createBucket } from "@/lib/storage/buckets";
import { previewTable } from "@/lib/storage/tables";
import { createTestProject, unique } from "@/test/factories";
import { S3RVER_KEYS, type S3TestServer, startS3Server } from "@/test/s3-server";
import { drainStorageJobs, makeFilesDir } from "@/test/storage";

const origin = "http://jobdeck.test";
let filesDir: string;
let loadDir: string;
let outside: string;
let s3: S3TestServer;
let web: http.Server;
let webUrl: string;

beforeAll(async () => {
  filesDir = makeFilesDir();
  loadDir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-csv-load-"));
  outside = mkdtempSync(path.join(os.tmpdir(), "jobdeck-csv-outside-"));
  writeFileSync(path.join(loadDir, "dogs.csv"), "id,name\n1,Penny\n2,Kato\n");
  mkdirSync(path.join(loadDir, "sub"));
  writeFileSync(path.join(loadDir, "sub", "more.csv"), "id,name\n3,Rex\n");
  writeFileSync(path.join(outside, "secret.csv"), "id,name\n9,Secret\n");
  symlinkSync(path.join(outside, "secret.csv"), path.join(loadDir, "escape.csv"));
  env.csvLoadDir = loadDir;
  s3 = await startS3Server();
  web = http.createServer((request, response) => {
    if (request.url === "/dogs.csv") response.writeHead(200, { "Content-Type": "text/csv" }).end("id,name\n4,Bella\n5,Max\n");
    else response.writeHead(404).end("no");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(async () => {
  env.csvLoadDir = null;
  await s3?.stop();
  await new Promise((resolve) => web?.close(resolve));
});

async function setup() {
  const t = await createTestProject();
  const name = unique("dev").replace(/[^A-Za-z0-9_-]/g, "_");
  await createBucket({ db: db(), projectId: t.project.id, input: { name, stage: "in" } });
  const run = (body: Record<string, unknown>) => runHarperOperation({ db: db(), auth: t.auth, input: operationSchema.parse(body), origin, runId: null, filesDir });
  const rows = async (table: string) => (await previewTable({ db: db(), projectId: t.project.id, tableId: `in.c-${name}.${table}`, limit: 100 })).rows.map((r) => r.join(",")).sort();
  const job = async (id: string) => ((await run({ operation: "get_job", id })) as unknown[])[0] as Record<string, unknown>;
  return { ...t, database: name, run, rows, job };
}

const s3Keys = () => ({ aws_access_key_id: S3RVER_KEYS.accessKeyId, aws_secret_access_key: S3RVER_KEYS.secretAccessKey, bucket: s3.config.bucket, region: "us-east-1", endpoint: s3.endpoint });

describe("HarperDB's job operations", () => {
  it("csv_file_load creates the table from a file inside the allowed folder, then loads more into it", async () => {
    const t = await setup();
    const first = (await t.run({ operation: "csv_file_load", database: t.database, table: "dogs", file_path: path.join(loadDir, "dogs.csv") })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await t.job(first.job_id)).toMatchObject({ status: "COMPLETE", type: "csv_file_load" });
    const second = (await t.run({ operation: "csv_file_load", schema: `in.c-${t.database}`, table: "dogs", file_path: "sub/more.csv" })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await t.job(second.job_id)).toMatchObject({ status: "COMPLETE" });
    expect(await t.rows("dogs")).toEqual(["1,Penny", "2,Kato", "3,Rex"]);
  });

  it("csv_file_load refuses paths outside the folder and symlinks leading out, storing nothing", async () => {
    const t = await setup();
    const load = (file_path: string) => t.run({ operation: "csv_file_load", database: t.database, table: "dogs", file_path });
    for (const p of [path.join(outside, "secret.csv"), "../" + path.basename(outside) + "/secret.csv", "/etc/passwd", "escape.csv"]) {
      await expect(load(p)).rejects.toMatchObject({ status: 403, code: "pathNotAllowed", field: "file_path" });
    }
    await expect(load("missing.csv")).rejects.toMatchObject({ status: 422, field: "file_path" });
    await expect(load("sub")).rejects.toMatchObject({ status: 422, message: expect.stringContaining("is not a file") });
    expect(await db().file.count({ where: { projectId: t.project.id } })).toBe(0);
    expect(await db().storageJob.count({ where: { projectId: t.project.id } })).toBe(0);
  });

  it("csv_url_load loads a CSV from a URL; an error answer is a clear 422", async () => {
    const t = await setup();
    const started = (await t.run({ operation: "csv_url_load", database: t.database, table: "dogs", csv_url: `${webUrl}/dogs.csv` })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await t.job(started.job_id)).toMatchObject({ status: "COMPLETE", type: "csv_url_load" });
    expect(await t.rows("dogs")).toEqual(["4,Bella", "5,Max"]);
    await expect(t.run({ operation: "csv_url_load", database: t.database, table: "dogs", csv_url: `${webUrl}/nope.csv` })).rejects.toMatchObject({ status: 422, code: "csvUrlFailed" });
  });

  it("csv_url_load goes through the outbound guard: a metadata or private address is refused and nothing is queued", async () => {
    const t = await setup();
    for (const csv_url of ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/x.csv"]) {
      await expect(t.run({ operation: "csv_url_load", database: t.database, table: "dogs", csv_url })).rejects.toMatchObject({ status: 422, code: "outboundRefused" });
    }
    expect(await db().storageJob.count({ where: { projectId: t.project.id } })).toBe(0);
  });

  it("import_from_s3 and export_to_s3 move a table through an S3 bucket with the request's own keys", async () => {
    const t = await setup();
    const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_KEYS });
    const key = `${unique("in")}/dogs.csv`;
    await client.send(new PutObjectCommand({ Bucket: s3.config.bucket, Key: key, Body: "id,name\n6,Luna\n7,Rocky\n" }));
    const imported = (await t.run({ operation: "import_from_s3", database: t.database, table: "dogs", s3: { ...s3Keys(), key } })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await t.job(imported.job_id)).toMatchObject({ status: "COMPLETE", type: "import_from_s3" });
    expect(await t.rows("dogs")).toEqual(["6,Luna", "7,Rocky"]);

    const outKey = `${unique("out")}/dogs.csv`;
    const exported = (await t.run({
      operation: "export_to_s3",
      format: "csv",
      s3: { ...s3Keys(), key: outKey },
      search_operation: { operation: "sql", sql: `SELECT * FROM ${t.database}.dogs` },
    })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await t.job(exported.job_id)).toMatchObject({ status: "COMPLETE", type: "export_to_s3", result: { s3: { bucket: s3.config.bucket, key: outKey } } });
    const object = await client.send(new GetObjectCommand({ Bucket: s3.config.bucket, Key: outKey }));
    expect((await object.Body!.transformToString()).replaceAll('"', "").trim().split("\n").sort()).toEqual(["6,Luna", "7,Rocky", "id,name"]);
    // The secret key is in the job encrypted, never in clear.
    const stored = await db().storageJob.findUniqueOrThrow({ where: { id: BigInt(exported.job_id) } });
    const deliverTo = (stored.operationParams as { deliverTo: Record<string, string> }).deliverTo;
    expect(deliverTo["#secretAccessKey"]).toMatch(/^KBC::ProjectSecure::/);
    expect(Object.keys(deliverTo)).not.toContain("secretAccessKey");

    await expect(t.run({ operation: "import_from_s3", database: t.database, table: "dogs", s3: { ...s3Keys(), key: "missing.csv" } })).rejects.toMatchObject({ status: 422, code: "s3Failed" });
    await expect(t.run({ operation: "import_from_s3", database: t.database, table: "dogs", s3: { ...s3Keys(), key: "data.json" } })).rejects.toMatchObject({ status: 422, field: "s3.key" });
    await expect(t.run({ operation: "export_to_s3", s3: { ...s3Keys(), key: "x.csv" }, search_operation: { operation: "sql", sql: "SELECT id FROM dev.dogs WHERE 1=1" } })).rejects.toMatchObject({ status: 422, field: "search_operation" });
  });

  it("answers get_job and search_jobs_by_start_date in HarperDB's shape, and takes HarperDB's Basic auth", async () => {
    const t = await setup();
    const load = (await t.run({ operation: "csv_data_load", database: t.database, table: "dogs", data: "id,name\n1,Penny\n" })) as { job_id: string };
    await drainStorageJobs(filesDir);
    const job = await t.job(load.job_id);
    expect(harperJobSchema.parse(job)).toMatchObject({ id: load.job_id, type: "csv_data_load", status: "COMPLETE", job_body: null });
    expect(job.start_datetime_converted).toBe(new Date(job.start_datetime as number).toISOString());
    expect(job.__updatedtime__).toBe(job.end_datetime);
    const found = (await t.run({ operation: "search_jobs_by_start_date", from_date: "2000-01-01", to_date: "2999-01-01" })) as { id: string }[];
    expect(found.map((j) => j.id)).toContain(load.job_id);

    const call = (authorization: string) =>
      POST(new NextRequest(`${origin}/api/operations`, { method: "POST", body: JSON.stringify({ operation: "get_job", id: load.job_id }), headers: { authorization, "content-type": "application/json" } }), {
        params: Promise.resolve({}),
      });
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const ok = await call(basic("HDB_ADMIN", t.manage.secret));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject([{ id: load.job_id, status: "COMPLETE" }]);
    expect((await call(basic("HDB_ADMIN", "not-a-token"))).status).toBe(401);
    expect((await call("Basic !!!")).status).toBe(401);
  });

  it("refuses a load into a table whose bucket does not exist, and upsert into a table not there yet", async () => {
    const t = await setup();
    await expect(t.run({ operation: "csv_data_load", database: "nowhere", table: "dogs", data: "id\n1\n" })).rejects.toMatchObject({ status: 404 });
    await expect(t.run({ operation: "csv_data_load", database: t.database, table: "fresh", data: "id\n1\n", action: "upsert" })).rejects.toMatchObject({ status: 422, field: "action" });
    await expect(t.run({ operation: "csv_data_load", database: "not a name", table: "dogs", data: "id\n1\n" })).rejects.toMatchObject({ status: 422, field: "database" });
    expect(await db().file.count({ where: { projectId: t.project.id } })).toBe(0);
  });
});
