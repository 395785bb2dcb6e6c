// Keboola's input and output mapping against real Storage (every read and write a Storage job of
// the run): a data folder prepared from filtered tables and tagged files, out/ imported back,
// a bad output that leaves Storage untouched, export filters, and the built-ins reading
// `storage.input/output.tables`.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as exportAsync } from "@/app/api/v2/storage/tables/[tableId]/export-async/route";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput, JobResult } from "@/lib/schemas/jobs";
import { type ExportFilters, exportAsyncSchema } from "@/lib/schemas/storage";
import { requestTableExport } from "@/lib/storage/jobs/requests";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { storageClient } from "@/worker/components/storage-client";
import { UserError } from "@/worker/components/types";
import { type WorkerHandle, startWorker } from "@/worker/worker";
import { prepareDataFolder } from "./data-folder";
import { applyOutputMapping, planOutputMapping } from "./output-mapping";

const ORDERS = "id,customer,amount\n1,alice,10\n2,bob,25\n3,alice,5\n4,carol,7\n";
const storageStop = new AbortController();
let storageDone: Promise<void>;
let worker: WorkerHandle;
let server: http.Server;
let base = "";
const folders: string[] = [];

beforeAll(async () => {
  storageDone = startStorageWorker({ concurrency: 2, signal: storageStop.signal, db: db() });
  worker = startWorker({ db: db(), concurrency: 2, leaseMs: 5_000, idlePollMs: 50, log: () => undefined });
  server = http.createServer((req, res) => {
    if (req.url === "/orders.csv") res.writeHead(200, { "Content-Type": "text/csv" }).end(ORDERS);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await worker.stop({ graceMs: 2_000 });
  storageStop.abort();
  await storageDone;
  server.close();
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

/** A project with a job row of its own (finished, so no worker claims it) and that job's Storage client. */
async function setup() {
  const { project } = await createTestProject();
  return setupIn(project.id);
}

async function setupIn(projectId: number) {
  const project = await db().project.findUniqueOrThrow({ where: { id: projectId } });
  const token = await db().token.findFirstOrThrow({ where: { projectId, permission: "manage" } });
  const auth = { projectId, projectName: project.name, tokenId: token.id, tokenDescription: token.description, permission: "manage" as const };
  const runId = unique("r").replace(/\D/g, "").slice(-15);
  const job = await db().job.create({ data: { projectId: project.id, tokenId: auth.tokenId, runId, rootRunId: runId, component: "test.process", status: "success", attempt: 1 } });
  const storage = storageClient(db(), job, new AbortController().signal);
  return { project, auth, job, storage };
}

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mapping-int-"));
  folders.push(dir);
  return dir;
}

async function rows(projectId: number, tableId: string): Promise<string[][]> {
  const table = await db().storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId, tableId } } });
  const found = await db().$queryRawUnsafe<Record<string, string>[]>(`SELECT * FROM storage."${table.sqlName}" ORDER BY 1`);
  return found.map((r) => table.columns.map((c) => r[c]!));
}

async function seedTable(storage: Awaited<ReturnType<typeof setup>>["storage"], tableId: string, csv: string, primaryKey: string[] = []) {
  const file = await storage.saveFile("seed.csv", Readable.from([csv]));
  await storage.writeTable(tableId, file, { primaryKey });
}

async function write(dir: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
}

async function run(auth: AuthContext, input: Partial<CreateJobInput> & { component: string }) {
  const job = await createJob({ db: db(), auth, input: { mode: "run", ...input } as CreateJobInput });
  return waitFor(`job ${job.id}`, async () => {
    const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    return (FINAL_STATUSES as readonly string[]).includes(j.status) ? { ...j, result: j.result as JobResult } : null;
  });
}

describe("prepareDataFolder", () => {
  it("writes config.json, the state and filtered input tables with their manifests, each an export of the run", async () => {
    const { project, job, storage } = await setup();
    await seedTable(storage, "in.c-shop.orders", ORDERS, ["id"]);
    const dir = path.join(await tempDir(), "data");
    const prepared = await prepareDataFolder({
      dir,
      storage,
      configuration: {
        storage: {
          input: {
            tables: [
              { source: "in.c-shop.orders", destination: "alice.csv", columns: ["amount", "id"], where_column: "customer", where_values: ["alice"], limit: 1 },
              { source: "in.c-shop.orders", where_column: "customer", where_values: ["alice", "bob"], where_operator: "ne" },
            ],
          },
        },
        parameters: { multiplier: 2, "#secret": "plain" },
      },
      imageParameters: { url: "https://api.example.com" },
      authorization: { oauth_api: { credentials: { id: "c" } } },
      state: { last: 7 },
    });

    expect(prepared.tables.map((t) => t.id)).toEqual(["in.c-shop.orders", "in.c-shop.orders"]);
    expect(prepared.fileIds).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(["config.json", "in", "out"]);
    expect((await readdir(path.join(dir, "out"))).sort()).toEqual(["files", "tables"]);
    expect(JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"))).toEqual({
      storage: expect.objectContaining({ input: expect.any(Object) }),
      parameters: { multiplier: 2, "#secret": "plain" },
      image_parameters: { url: "https://api.example.com" },
      action: "run",
      authorization: { oauth_api: { credentials: { id: "c" } } },
    });
    expect(JSON.parse(await readFile(path.join(dir, "in/state.json"), "utf8"))).toEqual({ last: 7 });

    expect(await readFile(path.join(dir, "in/tables/alice.csv"), "utf8")).toBe("amount,id\n10,1\n");
    expect(await readFile(path.join(dir, "in/tables/in.c-shop.orders.csv"), "utf8")).toBe("id,customer,amount\n4,carol,7\n");
    const manifest = JSON.parse(await readFile(path.join(dir, "in/tables/alice.csv.manifest"), "utf8"));
    expect(manifest).toMatchObject({
      id: "in.c-shop.orders",
      uri: expect.stringMatching(/\/api\/v2\/storage\/tables\/in\.c-shop\.orders$/),
      name: "orders",
      primary_key: ["id"],
      columns: ["amount", "id"],
      rows_count: 4,
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
      last_import_date: expect.stringMatching(/\+0000$/),
    });
    expect(manifest.data_size_bytes).toBeGreaterThan(0);

    const exports = await db().storageJob.findMany({ where: { projectId: project.id, operationName: "tableExport" }, orderBy: { id: "asc" } });
    expect(exports.map((e) => [e.runId, e.status, e.operationParams])).toEqual([
      [job.runId, "success", { columns: ["amount", "id"], whereColumn: "customer", whereValues: ["alice"], whereOperator: "eq", limit: 1 }],
      [job.runId, "success", { whereColumn: "customer", whereValues: ["alice", "bob"], whereOperator: "ne" }],
    ]);
  });

  it("writes {} as the state when there is none, and refuses changed_since, a path as destination or an unknown column before any export", async () => {
    const { project, storage } = await setup();
    await seedTable(storage, "in.c-shop.orders", ORDERS);
    const dir = path.join(await tempDir(), "data");
    await prepareDataFolder({ dir, storage, configuration: {} });
    expect(await readFile(path.join(dir, "in/state.json"), "utf8")).toBe("{}");
    expect(JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"))).toEqual({ storage: {}, parameters: {}, image_parameters: {}, action: "run" });

    const attempt = (table: Record<string, unknown>) =>
      prepareDataFolder({ dir: path.join(dir, "again"), storage, configuration: { storage: { input: { tables: [{ source: "in.c-shop.orders", ...table }] } } } });
    await expect(attempt({ changed_since: "-2 days" })).rejects.toThrow(/storage\.input\.tables\[0\]\.changed_since" is not supported/);
    await expect(attempt({ destination: "../escape.csv" })).rejects.toThrow(/"\.\.\/escape\.csv" must be a plain file name/);
    await expect(attempt({ destination: ".hidden" })).rejects.toThrow(/"\.hidden" may not start with a dot/);
    await expect(attempt({ where_operator: "gt", where_column: "id", where_values: ["1"] })).rejects.toThrow(UserError);
    expect(await db().storageJob.count({ where: { projectId: project.id, operationName: "tableExport" } })).toBe(0);
    await expect(attempt({ columns: ["nope"] })).rejects.toThrow(/Cannot read in\.c-shop\.orders: columns: "nope" is not a column/);
    await expect(attempt({ source: "in.c-shop.missing" })).rejects.toThrow(UserError);
  });

  it("copies the newest files carrying all the tags, with their manifests", async () => {
    const { storage } = await setup();
    const older = await storage.saveFile("a.txt", Readable.from(["older"]), ["report", "daily"]);
    await storage.saveFile("b.txt", Readable.from(["only one tag"]), ["report"]);
    const newer = await storage.saveFile("c.txt", Readable.from(["newer"]), ["report", "daily", "extra"]);
    const dir = path.join(await tempDir(), "data");
    const prepared = await prepareDataFolder({
      dir,
      storage,
      configuration: { storage: { input: { files: [{ tags: ["report", "daily"] }, { tags: ["daily"], limit: 1 }] } } },
    });
    // The second mapping finds the newest again: each file is copied once.
    expect(prepared.fileIds).toEqual([newer.id.toString(), older.id.toString()]);
    expect((await readdir(path.join(dir, "in/files"))).sort()).toEqual([`${older.id}_a.txt`, `${older.id}_a.txt.manifest`, `${newer.id}_c.txt`, `${newer.id}_c.txt.manifest`].sort());
    expect(await readFile(path.join(dir, `in/files/${newer.id}_c.txt`), "utf8")).toBe("newer");
    expect(JSON.parse(await readFile(path.join(dir, `in/files/${newer.id}_c.txt.manifest`), "utf8"))).toMatchObject({
      id: Number(newer.id),
      name: "c.txt",
      size_bytes: 5,
      tags: ["report", "daily", "extra"],
      is_public: false,
      is_sliced: false,
      max_age_days: 15,
      created: expect.stringMatching(/\+0000$/),
    });

    const refused = prepareDataFolder({ dir: path.join(dir, "q"), storage, configuration: { storage: { input: { files: [{ tags: ["x"], query: "name:.zip" }] } } } });
    await expect(refused).rejects.toThrow(/storage\.input\.files\[0\]\.query" is not supported/);
  });
});

describe("output mapping", () => {
  it("imports a manifest table and a two-dots file name, and uploads out/files with tags, as Storage jobs of the run", async () => {
    const { project, job, storage } = await setup();
    const dir = await tempDir();
    await write(dir, {
      "out/tables/data.csv": "id\tname\n1\talice\n2\tbob\n",
      "out/tables/data.csv.manifest": JSON.stringify({ destination: "out.c-res.people", delimiter: "\t", primary_key: ["id"] }),
      "out/tables/out.c-res.totals.csv": "customer,total\nalice,15\n",
      "out/files/report.txt": "a report",
      "out/files/report.txt.manifest": JSON.stringify({ tags: ["report"] }),
    });
    const plan = await planOutputMapping({ dir, storage: { output: { files: [{ source: "report.txt", tags: ["weekly"] }] } }, stagingDir: path.join(dir, "staging") });
    const result = await applyOutputMapping({ plan, storage });

    expect(result.tables.map((t) => [t.id, t.columns.map((c) => c.name)])).toEqual([
      ["out.c-res.people", ["id", "name"]],
      ["out.c-res.totals", ["customer", "total"]],
    ]);
    expect(await rows(project.id, "out.c-res.people")).toEqual([["1", "alice"], ["2", "bob"]]);
    expect((await db().storageTable.findFirstOrThrow({ where: { projectId: project.id, tableId: "out.c-res.people" } })).primaryKey).toEqual(["id"]);
    expect(await rows(project.id, "out.c-res.totals")).toEqual([["alice", "15"]]);

    expect(result.fileIds).toHaveLength(1);
    const uploaded = await db().file.findUniqueOrThrow({ where: { id: BigInt(result.fileIds[0]!) } });
    expect(uploaded).toMatchObject({ name: "report.txt", tags: ["report", "weekly"], runId: job.runId, contentType: "text/plain" });
    expect(await text(await storage.openFile(uploaded))).toBe("a report");

    const jobs = await db().storageJob.findMany({ where: { projectId: project.id }, orderBy: { id: "asc" } });
    expect(jobs.map((s) => [s.operationName, s.tableId, s.runId, s.status])).toEqual([
      ["tableCreate", "out.c-res.people", job.runId, "success"],
      ["tableCreate", "out.c-res.totals", job.runId, "success"],
    ]);
    // The staging folder is gone.
    expect(await readdir(path.join(dir, "staging"))).toEqual([]);
  });

  it("loads incrementally by primary key: the second load upserts", async () => {
    const { project, storage } = await setup();
    const mapping = { output: { tables: [{ source: "items.csv", destination: "out.c-res.items", incremental: true, primary_key: ["id"] }] } };
    for (const csv of ["id,v\n1,a\n2,b\n", "id,v\n2,B\n3,c\n"]) {
      const dir = await tempDir();
      await write(dir, { "out/tables/items.csv": csv });
      await applyOutputMapping({ plan: await planOutputMapping({ dir, storage: mapping }), storage });
    }
    expect(await rows(project.id, "out.c-res.items")).toEqual([["1", "a"], ["2", "B"], ["3", "c"]]);
    const jobs = await db().storageJob.findMany({ where: { projectId: project.id }, orderBy: { id: "asc" } });
    expect(jobs.map((s) => [s.operationName, s.operationParams])).toEqual([
      ["tableCreate", expect.objectContaining({ primaryKey: ["id"] })],
      ["tableImport", expect.objectContaining({ incremental: true })],
    ]);
  });

  it("a bad output leaves Storage untouched: no table, no Storage job, no File", async () => {
    const { project, storage } = await setup();
    const dir = await tempDir();
    await write(dir, {
      "out/tables/out.c-res.good.csv": "id\n1\n",
      "out/tables/out.c-res.bad.csv": "id,v\n1,a\n2\n",
      "out/files/fine.txt": "x",
    });
    // As the caller runs it: plan, then apply only a plan that came out whole.
    const mapped = planOutputMapping({ dir, storage: {} }).then((plan) => applyOutputMapping({ plan, storage }));
    await expect(mapped).rejects.toThrow("out/tables/out.c-res.bad.csv line 3: expected 2 values (as in the header) but found 1.");
    expect(await db().storageTable.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db().storageJob.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db().file.count({ where: { projectId: project.id } })).toBe(0);
  });
});

describe("export filters", () => {
  it("requestTableExport keeps the chosen columns in order, the matching rows and the limit; unknown columns are a 422 naming the field", async () => {
    const { project, auth, storage } = await setup();
    await seedTable(storage, "in.c-shop.orders", ORDERS);
    const queued = await requestTableExport({
      db: db(),
      auth: { ...auth } as AuthContext,
      runId: null,
      tableId: "in.c-shop.orders",
      filters: exportAsyncSchema.parse({ columns: "customer,id", whereColumn: "customer", whereValues: ["alice", "carol"], limit: "2" }),
    });
    const done = await waitFor("export", async () => {
      const sj = await db().storageJob.findUniqueOrThrow({ where: { id: queued.id } });
      return sj.status === "success" || sj.status === "error" ? sj : null;
    });
    expect(done.status).toBe("success");
    expect(done.results).toMatchObject({ exportedRowsCount: 2, columns: ["customer", "id"] });
    const file = await db().file.findUniqueOrThrow({ where: { id: BigInt((done.results as { file: { id: string } }).file.id) } });
    expect(await text(await storage.openFile(file))).toBe("customer,id\nalice,1\nalice,3\n");

    const { file: notCarol } = await storage.readTable("in.c-shop.orders", { whereColumn: "customer", whereValues: ["carol"], whereOperator: "ne" });
    expect(await text(await storage.openFile(notCarol))).toBe("id,customer,amount\n1,alice,10\n2,bob,25\n3,alice,5\n");

    const refused: [ExportFilters, string][] = [
      [{ columns: ["id", "nope"] }, "columns"],
      [{ columns: ["id", "id"] }, "columns"],
      [{ whereColumn: "nope", whereValues: ["x"] }, "whereColumn"],
    ];
    for (const [filters, field] of refused) {
      const error = await requestTableExport({ db: db(), auth: auth as AuthContext, runId: null, tableId: "in.c-shop.orders", filters }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 422, code: "invalidInput", field });
    }
    expect(await db().storageJob.count({ where: { projectId: project.id, operationName: "tableExport" } })).toBe(2);
  });

  it("POST export-async takes a form body (as Keboola's Python client sends it) or JSON, and answers 422 for changedSince", async () => {
    const { project, manage } = await createTestProject();
    const { storage } = await setupIn(project.id);
    await seedTable(storage, "in.c-shop.orders", ORDERS);
    const post = (body: string, type: string) =>
      exportAsync(
        new NextRequest("http://jobdeck.test/api/v2/storage/tables/in.c-shop.orders/export-async", {
          method: "POST",
          body,
          headers: { "x-storageapi-token": manage.secret, "content-type": type },
        }),
        { params: Promise.resolve({ tableId: "in.c-shop.orders" }) },
      );
    const form = await post("gzip=0&columns=id%2Camount&whereColumn=customer&whereOperator=eq&whereValues%5B%5D=bob&whereValues%5B%5D=carol&limit=5", "application/x-www-form-urlencoded");
    expect(form.status).toBe(202);
    const formJob = await db().storageJob.findUniqueOrThrow({ where: { id: BigInt((await form.json()).id) } });
    expect(formJob.operationParams).toEqual({ columns: ["id", "amount"], whereColumn: "customer", whereValues: ["bob", "carol"], whereOperator: "eq", limit: 5, fileFormat: "rfc" });

    const json = await post(JSON.stringify({ columns: ["customer"] }), "application/json");
    expect(json.status).toBe(202);

    const since = await post(JSON.stringify({ changedSince: "-1 days" }), "application/json");
    expect(since.status).toBe(422);
    expect(await since.json()).toMatchObject({ code: "invalidInput", field: "changedSince", error: expect.stringMatching(/^changedSince: Jobdeck keeps no per-row change time/) });
    const unknown = await post("columns=nope", "application/x-www-form-urlencoded");
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ field: "columns", error: 'columns: "nope" is not a column of in.c-shop.orders' });
  });

  it("the HTTP schema takes Keboola's spellings and refuses changedSince with the reason", () => {
    expect(exportAsyncSchema.parse({})).toEqual({});
    expect(exportAsyncSchema.parse({ whereColumn: "a", whereValues: "x", whereOperator: "neq", gzip: "0", limit: 5 })).toEqual({
      whereColumn: "a",
      whereValues: ["x"],
      whereOperator: "ne",
      limit: 5,
    });
    const since = exportAsyncSchema.safeParse({ changedSince: "-2 days" });
    expect(since.success).toBe(false);
    expect(since.error?.issues[0]).toMatchObject({ path: ["changedSince"], message: expect.stringMatching(/no per-row change time/) });
    expect(exportAsyncSchema.safeParse({ whereColumn: "a" }).error?.issues[0]?.path).toEqual(["whereValues"]);
    // Keboola's gzipped export file is made when asked.
    expect(exportAsyncSchema.parse({ gzip: "1" })).toEqual({ gzip: true });
    expect(exportAsyncSchema.safeParse({ limit: 0 }).success).toBe(false);
  });
});

describe("built-ins read Keboola's storage mappings", () => {
  it("csv extractor, SQL transformation and files writer take storage.input/output.tables", async () => {
    const { project, auth } = await createTestProject();
    const extracted = await run(auth, {
      component: "keboola.ex-http",
      configData: { url: `${base}/orders.csv`, storage: { output: { tables: [{ destination: "in.c-shop.orders", primary_key: ["id"] }] } } },
    });
    expect(extracted.status).toBe("success");
    expect((await db().storageTable.findFirstOrThrow({ where: { projectId: project.id, tableId: "in.c-shop.orders" } })).primaryKey).toEqual(["id"]);

    const transformed = await run(auth, {
      component: "jobdeck.sql-transformation",
      configData: {
        storage: {
          input: { tables: [{ source: "in.c-shop.orders", destination: "orders", where_column: "customer", where_values: ["alice"] }] },
          output: { tables: [{ source: "totals", destination: "out.c-reports.totals", primary_key: ["customer"] }] },
        },
        sql: "CREATE TABLE totals AS SELECT customer, sum(amount::int)::text AS total FROM orders GROUP BY customer",
      },
    });
    expect(transformed.status).toBe("success");
    expect(await rows(project.id, "out.c-reports.totals")).toEqual([["alice", "15"]]);
    expect((await db().storageTable.findFirstOrThrow({ where: { projectId: project.id, tableId: "out.c-reports.totals" } })).primaryKey).toEqual(["customer"]);

    const written = await run(auth, {
      component: "jobdeck.wr-files",
      configData: { storage: { input: { tables: [{ source: "in.c-shop.orders", columns: ["id"], limit: 2 }] } } },
    });
    expect(written.status).toBe("success");
    const [file] = await db().file.findMany({ where: { projectId: project.id, runId: written.runId } });
    const { storage } = await setup();
    expect(await text(await storage.openFile(file!))).toBe("id\n1\n2\n");

    const exports = await db().storageJob.findMany({ where: { projectId: project.id, operationName: "tableExport" }, orderBy: { id: "asc" } });
    expect(exports.map((e) => [e.runId, e.operationParams])).toEqual([
      [transformed.runId, { whereColumn: "customer", whereValues: ["alice"], whereOperator: "eq" }],
      [written.runId, { columns: ["id"], limit: 2 }],
    ]);

    // The old keys keep working next to the new ones.
    const old = await run(auth, { component: "jobdeck.wr-files", configData: { tables: ["out.c-reports.totals"] } });
    expect(old.status).toBe("success");
    // Four jobs, one of them starting a PGlite workspace: slow on a busy machine.
  }, 120_000);
});
