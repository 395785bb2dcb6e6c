import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { stringify } from "csv-stringify/sync";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createBucket } from "@/lib/storage/buckets";
import { toFileJson } from "@/lib/storage/files/file-views";
import { LocalFileStore } from "@/lib/storage/files/local-file-store";
import { prepareFile, receivePreparedUpload } from "@/lib/storage/files/prepare-file";
import { getStorageJob } from "@/lib/storage/jobs/get-storage-job";
import { requestRowsDelete, requestTableCreate, requestTableExport, requestTableImport, requestTableOperation } from "@/lib/storage/jobs/requests";
import { getTable, previewTable } from "@/lib/storage/tables";
import { runNextStorageJob } from "@/lib/storage/worker/run-next-storage-job";
import { dropOrphanStagingTables } from "@/lib/storage/worker/drop-orphan-staging";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { runHarperOperation } from "@/lib/operations/run-operation";
import { operationSchema } from "@/lib/schemas/operations";
import { createTableAsyncSchema, deleteRowsSchema, importAsyncSchema, prepareFileSchema } from "@/lib/schemas/storage";
import { createTestProject, unique } from "@/test/factories";
import { drainStorageJobs, makeFilesDir, uploadText } from "@/test/storage";

const origin = "http://jobdeck.test";
let filesDir: string;
beforeAll(() => {
  filesDir = makeFilesDir();
});

async function setup(csv: string, primaryKey: string[] = []) {
  const t = await createTestProject();
  const bucketName = unique("b").replace(/[^A-Za-z0-9_-]/g, "_");
  await createBucket({ db: db(), projectId: t.project.id, input: { name: bucketName, stage: "in" } });
  const file = await uploadText(t.auth, filesDir, csv);
  const job = await requestTableCreate({
    db: db(),
    auth: t.auth,
    runId: null,
    bucketId: `in.c-${bucketName}`,
    input: { name: "orders", dataFileId: file.id.toString(), primaryKey },
  });
  await drainStorageJobs(filesDir);
  const tableId = `in.c-${bucketName}.orders`;
  return { ...t, tableId, createJob: await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin }) };
}

async function importCsv(t: Awaited<ReturnType<typeof setup>>, csv: string, input: Record<string, unknown> = {}) {
  const file = await uploadText(t.auth, filesDir, csv);
  const job = await requestTableImport({
    db: db(),
    auth: t.auth,
    runId: "77.78",
    tableId: t.tableId,
    input: importAsyncSchema.parse({ dataFileId: file.id.toString(), ...input }),
  });
  await drainStorageJobs(filesDir);
  return getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin });
}

const rows = async (t: Awaited<ReturnType<typeof setup>>) =>
  (await previewTable({ db: db(), projectId: t.project.id, tableId: t.tableId, limit: 1000 })).rows;

describe("storage tables on the database", () => {
  it("creates a table from a file and previews its rows", async () => {
    const t = await setup('id,name,amount\n1,Ann,10\n2,"Bob, Jr.",20\n3,"multi\nline",30\n', ["id"]);
    expect(t.createJob).toMatchObject({ status: "success", operationName: "tableCreate", results: { importedRowsCount: 3, totalRowsCount: 3 } });
    expect(t.createJob.metrics.inBytes).toBeGreaterThan(0);
    const table = await getTable({ db: db(), projectId: t.project.id, tableId: t.tableId });
    expect(table).toMatchObject({ columns: ["id", "name", "amount"], primaryKey: ["id"], rowsCount: 3 });
    expect(await rows(t)).toEqual([["1", "Ann", "10"], ["2", "Bob, Jr.", "20"], ["3", "multi\nline", "30"]]);
  });

  it("imports incrementally with a primary-key upsert, and a full import replaces", async () => {
    const t = await setup("id,name\n1,Ann\n2,Bob\n", ["id"]);
    const job = await importCsv(t, "name,id\nBobby,2\nCid,3\n", { incremental: true });
    expect(job).toMatchObject({ status: "success", runId: "77.78", results: { importedRowsCount: 2, totalRowsCount: 3, mode: "upsert" } });
    expect((await rows(t)).sort()).toEqual([["1", "Ann"], ["2", "Bobby"], ["3", "Cid"]]);

    const insertOnly = await importCsv(t, "id,name\n1,Changed\n4,Dee\n", { incremental: true, action: "insert" });
    expect(insertOnly.status).toBe("success");
    expect((await rows(t)).sort()).toEqual([["1", "Ann"], ["2", "Bobby"], ["3", "Cid"], ["4", "Dee"]]);

    const updateOnly = await importCsv(t, "id,name\n1,Anna\n9,Nobody\n", { incremental: true, action: "update" });
    expect(updateOnly.results).toMatchObject({ changedRowsCount: 1 });
    expect((await rows(t)).sort()).toEqual([["1", "Anna"], ["2", "Bobby"], ["3", "Cid"], ["4", "Dee"]]);

    const full = await importCsv(t, "id,name\n7,Only\n");
    expect(full.results).toMatchObject({ totalRowsCount: 1, mode: "replace" });
    expect(await rows(t)).toEqual([["7", "Only"]]);
  });

  it("appends on an incremental import into a table without a primary key", async () => {
    const t = await setup("a,b\n1,2\n");
    await importCsv(t, "a,b\n1,2\n3,4\n", { incremental: true });
    expect(await rows(t)).toEqual([["1", "2"], ["1", "2"], ["3", "4"]]);
  });

  const badFiles: [string, string | Buffer, RegExp][] = [
    ["a ragged row", "id,name\n5,Eve\n6,Fay,extra\n", /^Line 3: expected 2 values .* found 3/],
    ["bad quoting", 'id,name\n5,"Eve\n6,Fay\n', /^Line 2: a quoted value opened on this line is never closed/],
    ["a quote after a closing quote", 'id,name\n5,"Eve"x\n', /^Line 2: a closing quote/],
    ["invalid UTF-8", Buffer.concat([Buffer.from("id,name\n5,Eve\n6,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]), /^Line 3: the file is not valid UTF-8/],
    ["a header that does not match", "id,nome\n5,Eve\n", /^Line 1: the header does not match .*missing column name; unknown column nome/],
    ["an invalid column name", "id,na;me\n5,Eve\n", /^Line 1: column 2 "na;me" is not a valid column name/],
    ["a duplicate primary key", "id,name\n5,Eve\n6,Fay\n5,Eva\n", /^Line 4: primary key id = "5" is already on line 2/],
    ["an empty file", "", /^Line 1: the file is empty/],
    ["a NUL character", "id,name\n5,E\u0000ve\n", /^Line 2: contains a NUL character/],
  ];

  it.each(badFiles)("ends the job in error on %s, naming the line, and leaves the table as it was", async (_name, csv, message) => {
    const t = await setup("id,name\n1,Ann\n2,Bob\n", ["id"]);
    const before = await getTable({ db: db(), projectId: t.project.id, tableId: t.tableId });
    for (const incremental of [true, false]) {
      const job = await importCsv(t, csv as string, { incremental });
      expect(job.status).toBe("error");
      expect(job.error).toMatchObject({ code: "invalidCsv" });
      expect(job.error?.message).toMatch(message);
      expect(await rows(t)).toEqual([["1", "Ann"], ["2", "Bob"]]);
      expect(await getTable({ db: db(), projectId: t.project.id, tableId: t.tableId })).toEqual(before);
    }
    const staging = await db().$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'storage' AND tablename LIKE 's%'");
    expect(Number(staging[0]!.n)).toBe(0);
  });

  it("keeps the old rows when an import fails midway through a file of many batches", async () => {
    const t = await setup("id,name\n1,Ann\n2,Bob\n", ["id"]);
    // 12,000 good rows (three batches are staged) and then a ragged one.
    const big = `id,name\n${Array.from({ length: 12_000 }, (_, i) => `${i + 10},n${i}`).join("\n")}\n99999,x,extra\n`;
    for (const incremental of [false, true]) {
      const job = await importCsv(t, big, { incremental });
      expect(job).toMatchObject({ status: "error", error: { code: "invalidCsv", message: expect.stringMatching(/^Line 12002: expected 2 values/) } });
      expect(await rows(t)).toEqual([["1", "Ann"], ["2", "Bob"]]);
    }
  });

  // A database that runs out of disk (SQLSTATE 53100) or refuses a write (42501) in the middle of the
  // transaction that replaces the rows: the trigger lets rows 10 and 11 in, then fails on row 12.
  it.each([
    ["disk_full", "diskFull", /database ran out of disk space/],
    ["insufficient_privilege", "permissionDenied", /database refused the write/],
  ])("ends an import in error when the database reports %s midway, and leaves the table's old rows", async (condition, code, message) => {
    const t = await setup("id,name\n1,Ann\n2,Bob\n", ["id"]);
    const { sqlName } = await db().storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId: t.project.id, tableId: t.tableId } } });
    const fn = `fail_${sqlName}`;
    await db().$executeRawUnsafe(
      `CREATE FUNCTION storage."${fn}"() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN IF NEW.id = '12' THEN RAISE EXCEPTION 'simulated ${condition}' USING ERRCODE = '${condition}'; END IF; RETURN NEW; END $body$`,
    );
    await db().$executeRawUnsafe(`CREATE TRIGGER "${fn}" BEFORE INSERT OR UPDATE ON storage."${sqlName}" FOR EACH ROW EXECUTE FUNCTION storage."${fn}"()`);
    try {
      for (const incremental of [false, true]) {
        const job = await importCsv(t, "id,name\n10,Ten\n11,Eleven\n12,Twelve\n13,Thirteen\n", { incremental });
        expect(job).toMatchObject({ status: "error", error: { code } });
        expect(job.error?.message).toMatch(message);
        expect(job.error?.message).not.toMatch(/simulated|SQLSTATE|storage\./);
        expect(await rows(t)).toEqual([["1", "Ann"], ["2", "Bob"]]);
        expect((await getTable({ db: db(), projectId: t.project.id, tableId: t.tableId })).rowsCount).toBe(2);
      }
    } finally {
      await db().$executeRawUnsafe(`DROP TRIGGER "${fn}" ON storage."${sqlName}"`);
      await db().$executeRawUnsafe(`DROP FUNCTION storage."${fn}"()`);
    }
    const staging = await db().$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'storage' AND tablename LIKE 's%'");
    expect(Number(staging[0]!.n)).toBe(0);
  });

  it("exports a table to a file with the same bytes, and snapshots it as a permanent file", async () => {
    const csv = 'id,name\n1,Ann\n2,"Bob, Jr."\n3,"say ""hi"""\n';
    const t = await setup(csv, ["id"]);
    const job = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
    await drainStorageJobs(filesDir);
    const exported = await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin });
    expect(exported).toMatchObject({ status: "success", results: { exportedRowsCount: 3, file: { id: expect.any(String) } } });
    const file = await db().file.findUniqueOrThrow({ where: { id: BigInt((exported.results!.file as { id: string }).id) } });
    expect(await readFile(path.join(filesDir, file.storagePath), "utf8")).toBe(csv);
    expect(exported.metrics.outBytes).toBe(Buffer.byteLength(csv));
    expect(file.expiresAt).not.toBeNull();

    const snap = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableSnapshotCreate" });
    await drainStorageJobs(filesDir);
    const snapshot = await getStorageJob({ db: db(), projectId: t.project.id, id: snap.id.toString(), origin });
    const snapFile = await db().file.findUniqueOrThrow({ where: { id: BigInt((snapshot.results!.file as { id: string }).id) } });
    expect(snapFile).toMatchObject({ expiresAt: null, tags: ["snapshot", "table-snapshot"] });
  });

  it("refuses to create a table from a file that holds a primary key twice, naming both lines, and leaves no table", async () => {
    const t = await setup("id,name\n1,Ann\n2,Bob\n1,Ann again\n", ["id"]);
    expect(t.createJob).toMatchObject({ status: "error", error: { code: "invalidCsv", message: 'Line 4: primary key id = "1" is already on line 2; a file may hold each key once' } });
    await expect(getTable({ db: db(), projectId: t.project.id, tableId: t.tableId })).rejects.toMatchObject({ status: 404 });
    const leftovers = await db().$queryRawUnsafe<{ n: bigint }[]>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'storage' AND tablename LIKE 's%'");
    expect(Number(leftovers[0]!.n)).toBe(0);
  });

  it("imports gzip files, files without a header, other delimiters and enclosures, and an empty enclosure", async () => {
    const t = await setup("id,name,note\n1,Ann,x\n", ["id"]);
    const gz = await importCsv(t, gzipSync(Buffer.from('id,name,note\r\n2,"B, b",\r\n3,"say ""hi""","two\nlines"\r\n')) as unknown as string);
    expect(gz).toMatchObject({ status: "success", results: { importedRowsCount: 2 } });
    expect(await rows(t)).toEqual([["2", "B, b", ""], ["3", 'say "hi"', "two\nlines"]]);

    const headless = await importCsv(t, "4;'it''s';'a;b'\n5;;\n", { withoutHeaders: true, delimiter: ";", enclosure: "'", incremental: true });
    expect(headless).toMatchObject({ status: "success", results: { importedRowsCount: 2 } });
    expect((await rows(t)).slice(2)).toEqual([["4", "it's", "a;b"], ["5", "", ""]]);

    const escaped = await importCsv(t, 'id,name,note\n8,"a \\"b\\"","c\\\\"\n', { escapedBy: "\\", incremental: true });
    expect(escaped).toMatchObject({ status: "success", results: { importedRowsCount: 1 } });
    expect((await rows(t)).at(-1)).toEqual(["8", 'a "b"', "c\\"]);

    // No enclosure (COPY always has one): the row-by-row path, same rules.
    const bare = await importCsv(t, 'id\tname\tnote\n6\ta "quote"\tz\n', { delimiter: "\t", enclosure: "", incremental: true });
    expect(bare).toMatchObject({ status: "success", results: { importedRowsCount: 1 } });
    expect((await rows(t)).at(-1)).toEqual(["6", 'a "quote"', "z"]);
    await expect(Promise.resolve().then(() => importAsyncSchema.parse({ dataFileId: "1", enclosure: "", escapedBy: "\\" }))).rejects.toThrow(/escapes values inside an enclosure only/);

    const broken = await importCsv(t, gzipSync(Buffer.from("id,name,note\n7,a,b\n")).subarray(0, 20) as unknown as string);
    expect(broken).toMatchObject({ status: "error", error: { code: "invalidGzip" } });
    expect(await rows(t)).toHaveLength(6);
  });

  it("exports exactly what csv-stringify wrote: empty values, quotes, line breaks, filters, and Keboola's quoted gzip file", async () => {
    const values = [["1", "", "plain"], ["2", 'say "hi"', "a,b"], ["3", "two\nlines", " spaced "], ["4", "x", ""]];
    const t = await setup(stringify([["id", "name", "note"], ...values], { record_delimiter: "unix" }), ["id"]);
    const exportFile = async (options: Parameters<typeof requestTableExport>[0]["filters"], file?: { gzip: boolean }) => {
      const job = await requestTableExport({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, filters: options ?? {}, ...(file && { file }) });
      await drainStorageJobs(filesDir);
      const done = await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin });
      expect(done.status).toBe("success");
      const stored = await db().file.findUniqueOrThrow({ where: { id: BigInt((done.results!.file as { id: string }).id) } });
      const bytes = await readFile(path.join(filesDir, stored.storagePath));
      return { text: (file?.gzip ? gunzipSync(bytes) : bytes).toString("utf8"), rows: done.results!.exportedRowsCount };
    };
    expect(await exportFile({})).toEqual({ text: stringify([["id", "name", "note"], ...values], { record_delimiter: "unix" }), rows: 4 });
    expect(await exportFile({}, { gzip: true })).toEqual({ text: stringify(values, { record_delimiter: "unix", quoted: true, quoted_empty: true }), rows: 4 });
    const filtered = await exportFile({ columns: ["note", "id"], whereColumn: "name", whereValues: ["", "x", "it's \\ odd"], whereOperator: "ne", limit: 1 });
    expect(filtered).toEqual({ text: 'note,id\n"a,b",2\n', rows: 1 });
  });

  it("deletes rows by column values and by a timestamp column, and drops the table", async () => {
    const t = await setup("id,kind,created_at\n1,a,2024-01-01T00:00:00Z\n2,b,2024-06-01T00:00:00Z\n3,a,2025-01-01T00:00:00Z\n");
    const byValue = await requestRowsDelete({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, input: deleteRowsSchema.parse({ whereColumn: "kind", whereValues: ["b"] }) });
    await drainStorageJobs(filesDir);
    expect((await getStorageJob({ db: db(), projectId: t.project.id, id: byValue.id.toString(), origin })).results).toMatchObject({ deletedRows: 1, totalRowsCount: 2 });
    const byTime = await requestRowsDelete({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, input: deleteRowsSchema.parse({ timestampColumn: "created_at", before: "2024-12-31" }) });
    await drainStorageJobs(filesDir);
    expect((await getStorageJob({ db: db(), projectId: t.project.id, id: byTime.id.toString(), origin })).results).toMatchObject({ deletedRows: 1 });
    expect(await rows(t)).toEqual([["3", "a", "2025-01-01T00:00:00Z"]]);
    expect((await getTable({ db: db(), projectId: t.project.id, tableId: t.tableId })).rowsCount).toBe(1);

    const notTime = await requestRowsDelete({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, input: deleteRowsSchema.parse({ timestampColumn: "kind", before: "2024-12-31" }) });
    await drainStorageJobs(filesDir);
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: notTime.id.toString(), origin })).toMatchObject({ status: "error", error: { code: "invalidTimestamp" } });

    const drop = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableDrop" });
    await drainStorageJobs(filesDir);
    expect((await getStorageJob({ db: db(), projectId: t.project.id, id: drop.id.toString(), origin })).status).toBe("success");
    await expect(getTable({ db: db(), projectId: t.project.id, tableId: t.tableId })).rejects.toMatchObject({ status: 404 });
  });

  it("ends an export in error when the disk is full or the folder cannot be written, and writes no File", async () => {
    const t = await setup("id\n1\n2\n");
    const job = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
    // The job's temporary file is a link to /dev/full: the kernel answers every write with ENOSPC.
    mkdirSync(path.join(filesDir, ".tmp"), { recursive: true });
    symlinkSync("/dev/full", path.join(filesDir, ".tmp", `storage-job-${job.id}.part`));
    await drainStorageJobs(filesDir);
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin })).toMatchObject({
      status: "error",
      error: { code: "diskFull", message: "Could not write the file: the disk that holds Jobdeck's files is full." },
    });

    const blockedDir = path.join(filesDir, "blocked");
    writeFileSync(blockedDir, "a file where the files folder should be");
    const blocked = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableSnapshotCreate" });
    await drainStorageJobs(blockedDir);
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: blocked.id.toString(), origin })).toMatchObject({ status: "error", error: { code: "fileWriteFailed" } });
    expect(await db().file.count({ where: { projectId: t.project.id, tags: { has: "table-export" } } })).toBe(0);
  });

  it("never runs a job twice when several workers claim at once", async () => {
    const t = await setup("id\n1\n");
    const ids: bigint[] = [];
    for (let i = 0; i < 6; i++) ids.push((await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" })).id);
    const worker = async (workerId: string) => {
      const ran: bigint[] = [];
      for (let r = await runNextStorageJob({ db: db(), workerId, filesDir }); r; r = await runNextStorageJob({ db: db(), workerId, filesDir })) ran.push(r.id);
      return ran;
    };
    const runs = (await Promise.all(["w1", "w2", "w3"].map(worker))).flat();
    expect([...runs].sort()).toEqual([...ids].sort());
    const jobs = await db().storageJob.findMany({ where: { id: { in: ids } } });
    expect(jobs.map((j) => [j.status, j.attempt])).toEqual(ids.map(() => ["success", 1]));
  });

  it("runs the worker loop until it is stopped", async () => {
    const t = await setup("id\n1\n");
    const controller = new AbortController();
    const loop = startStorageWorker({ concurrency: 2, signal: controller.signal, db: db(), filesDir });
    const job = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
    await expect.poll(async () => (await db().storageJob.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 20_000 }).toBe("success");
    controller.abort();
    await expect(loop).resolves.toBeUndefined();
  });

  it("wakes an idle slot when a Storage job is queued, without waiting for its poll", async () => {
    const t = await setup("id\n1\n");
    const controller = new AbortController();
    let sleeping = 0;
    // The poll is ten minutes away: only the wake-up can run these jobs within the test.
    const loop = startStorageWorker({ concurrency: 2, signal: controller.signal, db: db(), filesDir, pollMs: 600_000, onIdle: (n) => (sleeping = n) });
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => sleeping, { timeout: 20_000 }).toBe(2);
      sleeping = 0;
      const job = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
      await expect.poll(async () => (await db().storageJob.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 20_000 }).toBe("success");
    }
    controller.abort();
    await expect(loop).resolves.toBeUndefined();
  });

  it("answers HarperDB-style operations with Storage jobs", async () => {
    const t = await setup("id,name,created_at\n1,Ann,2020-01-01\n", ["id"]);
    const run = (body: unknown) => runHarperOperation({ db: db(), auth: t.auth, input: operationSchema.parse(body), origin, runId: null, filesDir });
    const [bucketId, table] = [t.tableId.split(".").slice(0, 2).join("."), "orders"];
    const load = (await run({ operation: "csv_data_load", schema: bucketId, table, data: "id,name,created_at\n1,Anna,2020-01-01\n2,Bo,2031-01-01\n" })) as { message: string; job_id: string };
    expect(load.message).toBe(`Starting job with id ${load.job_id}`);
    expect(await run({ operation: "get_job", id: load.job_id })).toMatchObject([{ id: load.job_id, status: "IN_PROGRESS", type: "csv_data_load" }]);
    await drainStorageJobs(filesDir);
    // insert (HarperDB's default) keeps existing keys.
    expect(await run({ operation: "get_job", id: load.job_id })).toMatchObject([{ status: "COMPLETE" }]);
    expect((await rows(t)).sort()).toEqual([["1", "Ann", "2020-01-01"], ["2", "Bo", "2031-01-01"]]);

    const purge = (await run({ operation: "delete_records_before", table: t.tableId, date: "2025-01-01" })) as { job_id: string };
    await drainStorageJobs(filesDir);
    expect(await run({ operation: "get_job", id: purge.job_id })).toMatchObject([{ status: "COMPLETE", result: { deletedRows: 1 } }]);
    const found = (await run({ operation: "search_jobs_by_start_date", from_date: "2000-01-01", to_date: "2999-01-01" })) as { id: string }[];
    expect(found.map((j) => j.id)).toEqual(expect.arrayContaining([load.job_id, purge.job_id]));
    // No database: HarperDB's default, "data" (in.c-data), where this project has no such table.
    await expect(run({ operation: "export_local", table: "orders" })).rejects.toMatchObject({ status: 404 });
    await expect(run({ operation: "export_local", table: "no such" })).rejects.toMatchObject({ status: 422, field: "table" });
  });

  it("reclaims a job whose worker stopped renewing its lease, and gives up after three attempts", async () => {
    const t = await setup("id\n1\n");
    const stale = new Date(Date.now() - 60_000);
    const job = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
    await db().storageJob.update({ where: { id: job.id }, data: { status: "processing", workerId: "dead", leaseExpiresAt: stale, attempt: 1, startTime: stale } });
    // The dead worker's staging table is swept up too.
    await db().$executeRawUnsafe(`CREATE TABLE storage."s${job.id}_0badf00d" (x text)`);
    expect(await dropOrphanStagingTables({ db: db() })).toEqual([]);
    await drainStorageJobs(filesDir);
    expect(await db().storageJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "success", attempt: 2, workerId: "test-worker", startTime: stale });
    expect(await dropOrphanStagingTables({ db: db() })).toEqual([`s${job.id}_0badf00d`]);

    const hopeless = await requestTableOperation({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, operationName: "tableExport" });
    await db().storageJob.update({ where: { id: hopeless.id }, data: { status: "processing", workerId: "dead", leaseExpiresAt: stale, attempt: 3 } });
    await drainStorageJobs(filesDir);
    expect(await db().storageJob.findUniqueOrThrow({ where: { id: hopeless.id } })).toMatchObject({ status: "error", errorCode: "tooManyAttempts" });
  });
});

describe("sliced files (Keboola's isSliced) on the local backend", () => {
  /** Keboola's flow: each slice uploaded as a File, then a sliced File prepared and its manifest PUT to the upload URL. */
  async function uploadSliced(auth: Awaited<ReturnType<typeof createTestProject>>["auth"], urls: string[]) {
    const store = new LocalFileStore(filesDir);
    const prepared = await prepareFile({ db: db(), auth, input: prepareFileSchema.parse({ name: "orders.csv", isSliced: "1" }), origin, runId: null, store });
    const { url } = prepared.uploadParams as { url: string };
    const manifest = JSON.stringify({ entries: urls.map((u) => ({ url: u })) });
    await receivePreparedUpload({ db: db(), request: new NextRequest(url, { method: "PUT", body: manifest }), fileId: String(prepared.id), store });
    return String(prepared.id);
  }
  /** The url a slice's detail gives (files/prepare and upload give the same on this backend). */
  const urlOf = async (file: { id: bigint }) => {
    const row = await db().file.findUniqueOrThrow({ where: { id: file.id }, include: { token: { select: { id: true, description: true } } } });
    return toFileJson(row, origin, new LocalFileStore(filesDir)).url;
  };

  it("imports the slices of a sliced file in the manifest's order, without their headers, a gzip slice among them", async () => {
    const t = await setup("id,name\n0,old\n", ["id"]);
    const slices = [
      await uploadText(t.auth, filesDir, "1,Ann\n2,\"Bob, Jr.\"\n", "part0"),
      // The last record without a line break, and a gzip slice after it.
      await uploadText(t.auth, filesDir, "3,\"multi\nline\"", "part1"),
      await uploadText(t.auth, filesDir, gzipSync(Buffer.from("4,Dan\r\n5,Eve\r\n")), "part2.gz"),
    ];
    const sliced = await uploadSliced(t.auth, await Promise.all(slices.map(urlOf)));
    const job = await requestTableImport({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, filesDir, input: importAsyncSchema.parse({ dataFileId: sliced }) });
    await drainStorageJobs(filesDir);
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin })).toMatchObject({ status: "success", results: { importedRowsCount: 5, totalRowsCount: 5 } });
    expect(await rows(t)).toEqual([["1", "Ann"], ["2", "Bob, Jr."], ["3", "multi\nline"], ["4", "Dan"], ["5", "Eve"]]);

    // tableCreate from the same sliced file takes its columns, as the slices have no header.
    const bucketId = t.tableId.split(".").slice(0, 2).join(".");
    await expect(requestTableCreate({ db: db(), auth: t.auth, runId: null, bucketId, filesDir, input: createTableAsyncSchema.parse({ name: "copy", dataFileId: sliced }) })).rejects.toMatchObject({ status: 422, field: "columns" });
    const create = await requestTableCreate({ db: db(), auth: t.auth, runId: null, bucketId, filesDir, input: createTableAsyncSchema.parse({ name: "copy", dataFileId: sliced, columns: "id,name", primaryKey: "id" }) });
    await drainStorageJobs(filesDir);
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: create.id.toString(), origin })).toMatchObject({ status: "success", results: { importedRowsCount: 5, columns: ["id", "name"] } });
  });

  // Both ways in: COPY (a comma) and csv-parse with batched INSERTs (a two-byte delimiter COPY cannot take).
  it.each([
    ["COPY", ","],
    ["csv-parse", "§"],
  ])("names a bad record's slice and its line within it, and ends each slice's records at its end (%s)", async (_way, delimiter) => {
    const t = await setup("id,name\n1,Ann\n", ["id"]);
    const csv = (text: string) => text.replaceAll(",", delimiter);
    const importSlices = async (texts: string[]) => {
      const files = [];
      for (const [i, text] of texts.entries()) files.push(await uploadText(t.auth, filesDir, csv(text), `part${i}.csv`));
      const sliced = await uploadSliced(t.auth, await Promise.all(files.map(urlOf)));
      const job = await requestTableImport({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, filesDir, input: importAsyncSchema.parse({ dataFileId: sliced, delimiter }) });
      await drainStorageJobs(filesDir);
      return getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin });
    };
    const failed = (message: RegExp) => ({ status: "error", error: { code: "invalidCsv", message: expect.stringMatching(message) } });

    // The first slice has no line break at its end, and the second starts with a BOM.
    expect(await importSlices(["2,Bob\n\n3,Cid", "\ufeff4,Dan\n5,Eve,extra\n"])).toMatchObject(failed(/^Slice 2 \(part1\.csv\), line 2: expected 2 values .* found 3/));
    expect(await importSlices(["2,Bob\n3,Cid\n", "4,Dan\n3,Cyd\n"])).toMatchObject(failed(/^Slice 2 \(part1\.csv\), line 2: primary key id = "3" is already on slice 1 \(part0\.csv\), line 2;/));
    // A quote a slice leaves open is not closed by the next slice.
    expect(await importSlices(['2,"Bob', 'by"\n3,Cid\n'])).toMatchObject(failed(/^Slice 1 \(part0\.csv\), line 1: a quoted value opened on this line is never closed/));
    expect(await rows(t)).toEqual([["1", "Ann"]]);

    expect(await importSlices(["2,Bob\n\n3,Cid", "\ufeff4,Dan\r\n", '5,"Eve\nEva"'])).toMatchObject({ status: "success", results: { importedRowsCount: 4 } });
    expect(await rows(t)).toEqual([["2", "Bob"], ["3", "Cid"], ["4", "Dan"], ["5", "Eve\nEva"]]);
  });

  it("refuses a manifest whose slice is missing or another project's, naming the slice, and leaves the table as it was", async () => {
    const t = await setup("id,name\n1,Ann\n", ["id"]);
    const other = await createTestProject();
    const present = await uploadText(t.auth, filesDir, "2,Bob\n", "part0");
    const foreign = await uploadText(other.auth, filesDir, "3,Eve\n", "part1");
    const importOf = (dataFileId: string) => requestTableImport({ db: db(), auth: t.auth, runId: null, tableId: t.tableId, filesDir, input: importAsyncSchema.parse({ dataFileId }) });

    const missing = await uploadSliced(t.auth, [await urlOf(present), `${origin}/api/v2/storage/files/999999999/download`]);
    await expect(importOf(missing)).rejects.toMatchObject({ status: 422, code: "invalidInput", field: "dataFileId", message: expect.stringMatching(/Slice 2 of the sliced file's manifest \(http:\/\/jobdeck\.test\/api\/v2\/storage\/files\/999999999\/download\) names file 999999999, which is not a file of this project/) });
    const outside = await uploadSliced(t.auth, [await urlOf(foreign)]);
    await expect(importOf(outside)).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/Slice 1 .* is not a file of this project/) });
    const notAUrl = await uploadSliced(t.auth, ["part0"]);
    await expect(importOf(notAUrl)).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/Slice 1 of the sliced file's manifest \(part0\) is not a file of Jobdeck's file store/) });

    // A slice whose bytes go between the request and the job: the job fails with the slice's name.
    const gone = await uploadText(t.auth, filesDir, "4,Dan\n", "part2");
    const sliced = await uploadSliced(t.auth, [await urlOf(present), await urlOf(gone)]);
    const job = await importOf(sliced);
    await new LocalFileStore(filesDir).delete(gone.storagePath);
    await drainStorageJobs(filesDir);
    const failed = await getStorageJob({ db: db(), projectId: t.project.id, id: job.id.toString(), origin });
    expect(failed).toMatchObject({ status: "error", error: { code: "invalidSlice", message: expect.stringMatching(/^Slice 2 of the sliced file's manifest \(.*\/files\/\d+\/download\) has no contents/) } });
    expect(await rows(t)).toEqual([["1", "Ann"]]);
  });
});
