// The built-in components end to end: a CSV served over HTTP → extractor → Storage table → SQL
// transformation → table → files writer; debug mode; failures that name the problem.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput, JobResult } from "@/lib/schemas/jobs";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { createTestProject } from "@/test/factories";
import { workspaceProcessesOf } from "@/test/sql-workspaces";
import { waitFor } from "@/test/wait";
import { type WorkerHandle, startWorker } from "@/worker/worker";

const ORDERS = "id,customer,amount\n1,alice,10\n2,bob,25\n3,alice,5\n";
let server: http.Server;
let base = "";
let worker: WorkerHandle;
const storage = new AbortController();
let storageDone: Promise<void>;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/orders.csv") res.writeHead(200, { "Content-Type": "text/csv" }).end(ORDERS);
    else if (req.url === "/ragged.csv") res.writeHead(200).end("id,amount\n1,2\n3,4,5\n");
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = startWorker({ db: db(), concurrency: 4, leaseMs: 5_000, idlePollMs: 50, log: () => undefined });
  storageDone = startStorageWorker({ concurrency: 2, signal: storage.signal, db: db() });
});
afterAll(async () => {
  await worker.stop({ graceMs: 2_000 });
  storage.abort();
  await storageDone;
  server.close();
});

async function run(auth: AuthContext, input: Partial<CreateJobInput> & { component: string }) {
  const job = await createJob({ db: db(), auth, input: { mode: "run", ...input } as CreateJobInput });
  return waitFor(`job ${job.id}`, async () => {
    const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    return (FINAL_STATUSES as readonly string[]).includes(j.status) ? { ...j, result: j.result as JobResult } : null;
  });
}

async function rows(projectId: number, tableId: string): Promise<string[][]> {
  const table = await db().storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId, tableId } } });
  const found = await db().$queryRawUnsafe<Record<string, string>[]>(`SELECT * FROM storage."${table.sqlName}" ORDER BY 1`);
  return found.map((r) => table.columns.map((c) => r[c]!));
}

describe("built-in components", () => {
  it("extracts a CSV, transforms it with SQL, and writes the result to a file, each step through Storage jobs", async () => {
    const { project, auth } = await createTestProject();
    const extracted = await run(auth, { component: "keboola.ex-http", configData: { url: `${base}/orders.csv`, table: "in.c-shop.orders" } });
    expect(extracted.status).toBe("success");
    expect(extracted.result.output?.tables.map((t) => [t.id, t.columns.map((c) => c.name)])).toEqual([["in.c-shop.orders", ["id", "customer", "amount"]]]);
    expect(extracted.outputTablesBytesSum).toBeGreaterThan(0n);
    expect(await rows(project.id, "in.c-shop.orders")).toEqual([["1", "alice", "10"], ["2", "bob", "25"], ["3", "alice", "5"]]);

    const transformed = await run(auth, {
      component: "jobdeck.sql-transformation",
      configData: {
        input: ["in.c-shop.orders"],
        output: [{ source: "totals", destination: "out.c-reports.totals" }],
        sql: ["CREATE TABLE totals AS SELECT customer, sum(amount::int)::text AS total FROM orders GROUP BY customer"],
      },
    });
    expect(transformed.status).toBe("success");
    expect(transformed.result.input?.tables.map((t) => t.id)).toEqual(["in.c-shop.orders"]);
    expect(transformed.result.output?.tables.map((t) => t.id)).toEqual(["out.c-reports.totals"]);
    expect(transformed.inputTablesBytesSum).toBeGreaterThan(0n);
    expect(await rows(project.id, "out.c-reports.totals")).toEqual([["alice", "15"], ["bob", "25"]]);

    const written = await run(auth, { component: "jobdeck.wr-files", configData: { tables: ["out.c-reports.totals"] } });
    expect(written.status).toBe("success");
    const files = await db().file.findMany({ where: { projectId: project.id, runId: written.runId } });
    expect(files.map((f) => f.name)).toEqual(["out.c-reports.totals.csv"]);

    // Every Storage operation carried the runId of the job that asked for it.
    const storageJobs = await db().storageJob.findMany({ where: { projectId: project.id }, orderBy: { id: "asc" } });
    expect(storageJobs.map((s) => [s.operationName, s.runId, s.status])).toEqual([
      ["tableCreate", extracted.runId, "success"],
      ["tableExport", transformed.runId, "success"],
      ["tableCreate", transformed.runId, "success"],
      ["tableExport", written.runId, "success"],
    ]);
  });

  it("in debug mode writes nothing to Storage and lists the snapshots as files", async () => {
    const { project, auth } = await createTestProject();
    const job = await run(auth, { component: "keboola.ex-http", mode: "debug", configData: { url: `${base}/orders.csv`, table: "in.c-debug.orders" } });
    expect(job.status).toBe("success");
    expect(await db().storageTable.count({ where: { projectId: project.id } })).toBe(0);
    expect(job.result.files).toEqual([{ id: expect.any(String), name: "orders.csv", role: "output", tableId: "in.c-debug.orders" }]);
  });

  it("fails with the reason: a bad download, a malformed CSV, broken SQL", async () => {
    const { project, auth } = await createTestProject();
    const missing = await run(auth, { component: "keboola.ex-http", configData: { url: `${base}/nope.csv`, table: "in.c-x.y" } });
    expect(missing).toMatchObject({ status: "error", result: { error: { type: "user", message: expect.stringMatching(/HTTP 404/) } } });

    const ragged = await run(auth, { component: "keboola.ex-http", configData: { url: `${base}/ragged.csv`, table: "in.c-x.ragged" } });
    expect(ragged.status).toBe("error");
    expect(ragged.result.error?.message).toMatch(/[Ll]ine 3/);
    expect(await db().storageTable.count({ where: { projectId: project.id } })).toBe(0);

    const broken = await run(auth, { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: "SELEC 1" } });
    expect(broken).toMatchObject({ status: "error", result: { error: { type: "user", message: expect.stringMatching(/^SQL failed: syntax error/) } } });

    const escape = await run(auth, { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: 'SELECT * FROM "Job"' } });
    expect(escape.result.error?.message).toMatch(/relation "Job" does not exist/);
  });

  it("stops SQL that uses more memory than the configuration's runtime.memory_mb, saying so", async () => {
    const { auth } = await createTestProject();
    // PGlite itself takes ≈ 0.7 GiB: small SQL runs within 1,200 MiB.
    const small = await run(auth, { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: "CREATE TABLE t AS SELECT 1 AS n", runtime: { memory_mb: 1200 } } });
    expect(small.status).toBe("success");
    // A 200-million-row series is kept whole (a function scan) and written into a table: its
    // temporary files and the table's live in the workspace's memory, many times the limit.
    const sql = "CREATE TABLE filled AS SELECT g, md5(g::text) AS a, md5((g * 7)::text) AS b FROM generate_series(1, 200000000) g";
    const stopped = await run(auth, { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql, runtime: { memory_mb: 1200 } } });
    expect(stopped).toMatchObject({ status: "error", result: { error: { type: "user", message: expect.stringMatching(/^SQL failed: the workspace used more than its memory limit of 1200 MiB/) } } });
    expect(workspaceProcessesOf(process.pid)).toEqual([]);

    const wrong = await run(auth, { component: "jobdeck.sql-transformation", configData: { input: [], output: [], sql: "SELECT 1", runtime: { memory_mb: "lots" } } });
    expect(wrong.result.error?.message).toMatch(/runtime\.memory_mb" must be a number/);
  });

  it("runs Keboola's runner-config-test as its parameters.operation says", async () => {
    const { auth } = await createTestProject();
    const component = "keboola.runner-config-test";
    const dumped = await run(auth, { component, configData: { parameters: { operation: "dump-config", "#password": "hunter2", depth: { n: 1 } } } });
    expect(dumped.status).toBe("success");
    const logged = await db().jobEvent.findMany({ where: { jobId: dumped.id }, select: { message: true } });
    const dump = logged.map((e) => e.message).find((m) => m.startsWith("Configuration: "));
    expect(JSON.parse(dump!.slice("Configuration: ".length))).toMatchObject({ parameters: { operation: "dump-config", "#password": "***", depth: { n: 1 } } });
    expect(logged.map((e) => e.message).join("\n")).not.toContain("hunter2");

    expect((await run(auth, { component, configData: {} })).status).toBe("success");
    const failed = await run(auth, { component, configData: { parameters: { operation: "fail" } } });
    expect(failed.status).toBe("error");
    expect(failed.result.error?.message).toMatch(/failing as configured/);
    const unknown = await run(auth, { component, configData: { parameters: { operation: "explode" } } });
    expect(unknown.result.error?.message).toMatch(/parameters\.operation.*"explode"/);
  });
});
