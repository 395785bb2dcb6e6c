// Process components end to end over Keboola's Common Interface, on PGlite and PostgreSQL: a
// Python and a Node.js component from fixture folders, added through the registry, run by a real
// worker in the bubblewrap sandbox, reading and writing real Storage through Storage jobs.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { buffer } from "node:stream/consumers";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "@/lib/auth/tokens";
import { createConfiguration, getConfiguration } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { getJob } from "@/lib/jobs/get-job";
import { killJob } from "@/lib/jobs/kill-job";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { startStorageWorker } from "@/lib/storage/worker/start-storage-worker";
import { uploadText } from "@/test/storage";
import { addFixtureComponent, jobEvents, runToEnd, seedTable, tableRows as rows } from "@/test/components";
import { createTestProject, unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { createJob } from "@/lib/jobs/create-job";
import { type WorkerHandle, startWorker } from "@/worker/worker";

let worker: WorkerHandle;
const storageStop = new AbortController();
let storageDone: Promise<void>;

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/bwrap")) throw new Error("bubblewrap (bwrap) is required: apt-get install -y bubblewrap");
  worker = startWorker({ db: db(), concurrency: 4, leaseMs: 5_000, idlePollMs: 50, log: () => undefined });
  storageDone = startStorageWorker({ concurrency: 2, signal: storageStop.signal, db: db() });
});
afterAll(async () => {
  await worker.stop({ graceMs: 5_000 });
  storageStop.abort();
  await storageDone;
});

async function fileText(id: string): Promise<string> {
  const file = await db().file.findUniqueOrThrow({ where: { id: BigInt(id) } });
  return (await buffer((await openStoredFile({ storagePath: file.storagePath })).stream)).toString("utf8");
}

/** The entries of a zip File: name → contents (directories end with "/" and hold ""). */
async function unzip(id: string): Promise<Record<string, string>> {
  const file = await db().file.findUniqueOrThrow({ where: { id: BigInt(id) } });
  const bytes = await buffer((await openStoredFile({ storagePath: file.storagePath })).stream);
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  const out: Record<string, string> = {};
  for (;;) {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      zip.once("entry", resolve).once("end", () => resolve(null)).once("error", reject);
      zip.readEntry();
    });
    zip.removeAllListeners();
    if (!entry) break;
    out[entry.fileName] = entry.fileName.endsWith("/") ? "" : (await buffer(await zip.openReadStreamPromise(entry))).toString("utf8");
  }
  zip.close();
  return out;
}

const messages = async (job: { runId: string; projectId: number }) => (await jobEvents(job.runId, job.projectId)).map((e) => e.message);

describe("process components over the Common Interface", () => {
  let auth: AuthContext;
  let probe: string;
  let nodeWriter: string;

  beforeAll(async () => {
    ({ auth } = await createTestProject());
    probe = await addFixtureComponent(auth, "python-probe", ["python3", "main.py"]);
    nodeWriter = await addFixtureComponent(auth, "node-writer", ["node", "index.mjs"]);
    await seedTable(auth, "in.c-shop.orders", "id,customer,amount,country\n1,alice,10,cz\n2,bob,25,de\n3,carol,5,cz\n4,dave,7,cz\n", ["id"]);
  });

  it("maps a filtered input in, a manifest's table out, and keeps the state for the next run (Python)", async () => {
    const config = await createConfiguration({
      db: db(),
      projectId: auth.projectId,
      componentId: probe,
      input: {
        name: "Orders from CZ",
        description: "",
        isDisabled: false,
        configuration: {
          storage: { input: { tables: [{ source: "in.c-shop.orders", destination: "orders.csv", columns: ["id", "customer"], where_column: "country", where_values: ["cz"], limit: 2 }] } },
          parameters: { mode: "copy", destinations: { "orders.csv": "out.c-probe.orders" }, incremental: true, primary_key: ["id"] },
        },
      },
    });
    const first = await runToEnd(auth, { component: probe, config: config.id });
    expect(first.status, JSON.stringify(first.result)).toBe("success");
    expect(first.result.input?.tables.map((t) => t.id)).toEqual(["in.c-shop.orders"]);
    expect(first.result.output?.tables.map((t) => [t.id, t.columns.map((c) => c.name)])).toEqual([["out.c-probe.orders", ["id", "customer"]]]);
    expect(await rows(auth.projectId, "out.c-probe.orders")).toEqual([["1", "ALICE"], ["3", "CAROL"]]);
    const log = await messages(first);
    expect(log).toContain("state in: {}");
    expect(log).toContain("input orders.csv from in.c-shop.orders columns id,customer");
    expect(log.some((m) => m.startsWith(`env: ${probe} ${config.id} ${auth.projectId} no token`))).toBe(true);
    // The export was a Storage job of the run, the import another.
    const storageJobs = await db().storageJob.findMany({ where: { projectId: auth.projectId, runId: first.runId }, orderBy: { id: "asc" } });
    expect(storageJobs.map((j) => [j.operationName, j.status])).toEqual([["tableExport", "success"], ["tableCreate", "success"]]);
    const [process] = first.result.processes ?? [];
    expect(process).toMatchObject({ component: probe, role: "component", version: "v1", command: ["python3", "main.py"], sandbox: "bwrap", end: "exited", exitCode: 0 });

    // Second run: the state comes back, and the incremental load upserts by primary key.
    await db().$executeRawUnsafe(
      `UPDATE storage."${(await db().storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId: auth.projectId, tableId: "in.c-shop.orders" } } })).sqlName}" SET customer = 'alicia' WHERE id = '1'`,
    );
    // (The same mapping without its limit, given as configData over the stored configuration.)
    const second = await runToEnd(auth, {
      component: probe,
      config: config.id,
      configData: { storage: { input: { tables: [{ source: "in.c-shop.orders", destination: "orders.csv", columns: ["id", "customer"], where_column: "country", where_values: ["cz"] }] } } },
    });
    expect(second.status).toBe("success");
    expect(await messages(second)).toContain('state in: {"runs": 1}');
    expect(await rows(auth.projectId, "out.c-probe.orders")).toEqual([["1", "ALICIA"], ["3", "CAROL"], ["4", "DAVE"]]);
    expect((await db().configuration.findFirstOrThrow({ where: { projectId: auth.projectId, configId: config.id } })).state).toEqual({ runs: 2 });
  });

  it("maps tables by file name and by a sliced folder's manifest, files with tags, and an after-processor (Node.js)", async () => {
    const job = await runToEnd(auth, {
      component: nodeWriter,
      configData: {
        parameters: { rows: 2 },
        processors: { after: [{ definition: { component: probe }, parameters: { mode: "copy", prefix: "p:" } }] },
      },
    });
    expect(job.status, JSON.stringify(job.result)).toBe("success");
    // The processor read what the component wrote and wrote it again, prefixed; its output was mapped.
    expect((job.result.processes ?? []).map((p) => [p.component, p.role, p.exitCode])).toEqual([[nodeWriter, "component", 0], [probe, "processor", 0]]);
    expect(await rows(auth.projectId, "out.c-node.items")).toEqual([["p:1", "p:ITEM 1"], ["p:2", "p:ITEM 2"]]);
    const log = await messages(job);
    expect(log.some((m) => /^node component .* uid 65534$/.test(m))).toBe(true);
  });

  it("maps a Node.js component's sliced table and its files without processors", async () => {
    const job = await runToEnd(auth, { component: nodeWriter, configData: { parameters: { rows: 3 } } });
    expect(job.status, JSON.stringify(job.result)).toBe("success");
    expect(await rows(auth.projectId, "out.c-node.events")).toEqual([["1", "open"], ["2", "close"], ["3", "open"]]);
    expect((await rows(auth.projectId, "out.c-node.items")).length).toBe(3);
    const report = (job.result.files ?? []).find((f) => f.role === "output");
    expect(report?.name).toBe("report.txt");
    const stored = await db().file.findUniqueOrThrow({ where: { id: BigInt(report!.id) } });
    expect(stored.tags).toEqual(expect.arrayContaining(["report", "node"]));
    expect(await fileText(report!.id)).toBe("report body\n");
  });

  it("exit 1 is the user's error, in the program's words; exit 2 an application error with a reference", async () => {
    const user = await runToEnd(auth, { component: probe, configData: { parameters: { mode: "exit", code: 1, message: "City 'Atlantis' does not exist" } } });
    expect(user.status).toBe("error");
    expect(user.result.error).toEqual({ type: "user", message: "City 'Atlantis' does not exist" });
    expect(user.result.processes?.[0]).toMatchObject({ end: "exited", exitCode: 1 });

    const app = await runToEnd(auth, { component: probe, configData: { parameters: { mode: "exit", code: 2, message: "Traceback: KeyError 'x'" } } });
    expect(app.status).toBe("error");
    expect(app.result.error?.type).toBe("application");
    expect(app.result.error?.message).toMatch(new RegExp(`application error\\. Reference: job ${app.id}, output in file \\d+`));
    expect(app.result.error?.message).not.toContain("KeyError");
    // The operator still has every line: the events and the complete output File.
    expect(await messages(app)).toContain("Traceback: KeyError 'x'");
    expect(await fileText(app.result.processes![0]!.outputFileId!)).toContain("Traceback: KeyError 'x'");
  });

  it("ends a run past its time limit, and one past its memory limit, with a clear error", async () => {
    const slow = await addFixtureComponent(auth, "python-probe", ["python3", "main.py"], { timeoutSeconds: 1 });
    const timedOut = await runToEnd(auth, { component: slow, configData: { parameters: { mode: "sleep" } } });
    expect(timedOut.status).toBe("error");
    expect(timedOut.result.error).toEqual({ type: "user", message: `Component ${slow} ran longer than its time limit of 1 s and was stopped.` });
    expect(timedOut.result.processes?.[0]?.end).toBe("timeout");

    const hungry = await runToEnd(auth, { component: probe, configData: { parameters: { mode: "memory", mb: 400 }, runtime: { memory_mb: 100 } } });
    expect(hungry.status).toBe("error");
    expect(hungry.result.error?.message).toBe(`Component ${probe} used more than its memory limit of 100 MiB and was stopped.`);
    expect(hungry.result.processes?.[0]).toMatchObject({ end: "memory", limits: expect.objectContaining({ memoryMb: 100 }) });
  });

  it("terminates a program that ignores SIGTERM: SIGKILL after the grace, nothing of it left", async () => {
    const marker = unique("ignore-term");
    const job = await createJob({ db: db(), auth, input: { component: probe, mode: "run", configData: { parameters: { mode: "ignore-term", marker } } } });
    await waitFor("the program to be ready", async () => (await messages({ runId: job.runId, projectId: auth.projectId })).includes("ready"));
    await killJob({ db: db(), projectId: auth.projectId, id: job.id.toString() });
    const ended = await waitFor("terminated", async () => {
      const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === "terminated" ? j : null;
    });
    expect(ended.status).toBe("terminated");
    expect(await messages(job)).toContain("ignoring SIGTERM");
    // No process of the run remains: its config.json (holding the marker) is read by nobody.
    const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps).not.toContain(`/data/`);
    expect(fs.readdirSync(`${env.runDir}/jobs`).filter((d) => d.startsWith(`${job.id}-`))).toEqual([]);
  });

  it("stores a million lines of output: events capped, the complete output kept as a File", async () => {
    const job = await runToEnd(auth, { component: probe, configData: { parameters: { mode: "print", lines: 1_000_000 } } }, 120_000);
    expect(job.status).toBe("success");
    const events = await db().jobEvent.count({ where: { projectId: auth.projectId, runId: job.runId, event: "job.log" } });
    expect(events).toBeLessThan(11_000);
    expect(events).toBeGreaterThan(10_000 - 1);
    const outputFileId = job.result.processes![0]!.outputFileId!;
    expect(await messages(job)).toContain(`990,000 of 1,000,000 lines not shown; the full output is in File ${outputFileId}`);
    const output = await fileText(outputFileId);
    const lines = output.split("\n");
    expect(lines.length).toBe(1_000_001);
    expect(lines[999_999]).toBe("line 999999");
    expect(job.result.processes![0]!.outputLines).toBe(1_000_000);
  });

  it("cannot read Jobdeck's data folder or write outside its data folder", async () => {
    const secretKeyFile = `${env.dataDir}/secret-key`;
    const job = await runToEnd(auth, {
      component: probe,
      configData: { parameters: { mode: "escape", read: [secretKeyFile, `${process.cwd()}/package.json`, "/etc/shadow"], write: [`${process.cwd()}/escaped.txt`, "/usr/escaped.txt", "/code/escaped.txt", "/data/ok.txt"] } },
    });
    expect(job.status).toBe("success");
    const log = await messages(job);
    expect(log.filter((m) => m.startsWith("READ OK"))).toEqual([]);
    expect(log.filter((m) => m.startsWith("WRITE OK"))).toEqual(["WRITE OK /data/ok.txt"]);
    expect(fs.existsSync(`${process.cwd()}/escaped.txt`)).toBe(false);
  });

  it("never shows a #secret: encrypted at rest, *** in the API, redacted from events and output, removed from snapshots", async () => {
    const secret = `pw-${unique("s")}-xyz`;
    const config = await createConfiguration({
      db: db(),
      projectId: auth.projectId,
      componentId: probe,
      input: { name: "With a secret", description: "", isDisabled: false, configuration: { parameters: { mode: "secret", "#password": secret } } },
    });
    const stored = await db().configuration.findFirstOrThrow({ where: { projectId: auth.projectId, configId: config.id } });
    expect(JSON.stringify(stored.configuration)).not.toContain(secret);
    expect((await getConfiguration({ db: db(), projectId: auth.projectId, componentId: probe, configId: config.id })).configuration).toEqual({ parameters: { mode: "secret", "#password": "***" } });

    for (const mode of ["run", "debug"] as const) {
      const job = await runToEnd(auth, { component: probe, config: config.id, mode });
      expect(job.status).toBe("success");
      const log = await messages(job);
      expect(log).toContain("the password is ***");
      expect(log).toContain("again: ***");
      expect(JSON.stringify(await jobEvents(job.runId, auth.projectId), (_, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(secret);
      expect(JSON.stringify(await getJob({ db: db(), projectId: auth.projectId, id: job.id.toString(), origin: "http://localhost" }), (_, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(secret);
      for (const file of job.result.files ?? []) {
        const text = file.role === "snapshot" ? JSON.stringify(await unzip(file.id)) : await fileText(file.id);
        expect(text).not.toContain(secret);
      }
      if (mode === "debug") {
        const stage0 = await unzip(job.result.files!.find((f) => f.name === "stage_0.zip")!.id);
        expect(JSON.parse(stage0["config.json"]!).parameters).toEqual({ mode: "secret" });
      }
    }
  });

  it("gives a token only to a component flagged for it: made for the run, revoked when it ends", async () => {
    const withToken = await addFixtureComponent(auth, "python-probe", ["python3", "main.py"], { forwardToken: true });
    const job = await runToEnd(auth, { component: withToken, configData: { parameters: { mode: "copy" } } });
    expect(job.status).toBe("success");
    expect((await messages(job)).some((m) => m.startsWith(`env: ${withToken} `) && m.endsWith(" token"))).toBe(true);
    const tokens = await db().token.findMany({ where: { projectId: auth.projectId, description: `Job ${job.id} (${withToken})` } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.revokedAt).not.toBeNull();
  });

  it("a #secret given as a job's configData is stored encrypted and shown as ***", async () => {
    const secret = `inline-${unique("s")}`;
    const job = await runToEnd(auth, { component: probe, configData: { parameters: { mode: "secret", "#password": secret } } });
    expect(job.status).toBe("success");
    expect(JSON.stringify(job.configData)).not.toContain(secret);
    const view = await getJob({ db: db(), projectId: auth.projectId, id: job.id.toString(), origin: "http://localhost" });
    expect(view.configData).toEqual({ parameters: { mode: "secret", "#password": "***" } });
    expect(await messages(job)).toContain("the password is ***");
  });

  it("debug mode: zips of the data folder before the component and before output mapping, and nothing written to Storage", async () => {
    const job = await runToEnd(auth, {
      component: probe,
      mode: "debug",
      configData: {
        storage: { input: { tables: [{ source: "in.c-shop.orders", destination: "orders.csv", columns: ["id", "country"], where_column: "id", where_values: ["2"] }] } },
        parameters: { mode: "copy", destinations: { "orders.csv": "out.c-debug.orders" } },
      },
    });
    expect(job.status, JSON.stringify(job.result)).toBe("success");
    const snapshots = (job.result.files ?? []).filter((f) => f.role === "snapshot");
    expect(snapshots.map((f) => f.name)).toEqual(["stage_0.zip", "stage_output.zip"]);
    const files = await db().file.findMany({ where: { id: { in: snapshots.map((s) => BigInt(s.id)) } } });
    for (const f of files) expect(f.tags).toEqual(expect.arrayContaining(["debug", `job-${job.id}`, `component-${probe}`]));

    const stage0 = await unzip(snapshots[0]!.id);
    expect(Object.keys(stage0).sort()).toEqual(
      ["config.json", "in/", "in/files/", "in/state.json", "in/tables/", "in/tables/orders.csv", "in/tables/orders.csv.manifest", "out/", "out/files/", "out/tables/"].sort(),
    );
    expect(stage0["in/tables/orders.csv"]).toBe("id,country\n2,de\n");
    expect(JSON.parse(stage0["in/tables/orders.csv.manifest"]!)).toMatchObject({ id: "in.c-shop.orders", columns: ["id", "country"] });
    const output = await unzip(snapshots[1]!.id);
    expect(output["out/tables/orders.csv"]).toBe("id,country\r\n2,DE\r\n");
    expect(JSON.parse(output["out/tables/orders.csv.manifest"]!)).toMatchObject({ destination: "out.c-debug.orders" });
    expect(JSON.parse(output["out/state.json"]!)).toEqual({ runs: 1 });
    expect(await db().storageTable.findUnique({ where: { projectId_tableId: { projectId: auth.projectId, tableId: "out.c-debug.orders" } } })).toBeNull();
  });

  it("runs Keboola's Python Transformation: blocks of codes in order over input tables, and says when packages cannot be installed", async () => {
    const job = await runToEnd(auth, {
      component: "keboola.python-transformation-v2",
      configData: {
        storage: {
          input: { tables: [{ source: "in.c-shop.orders", destination: "orders.csv" }] },
          output: { tables: [{ source: "by_country.csv", destination: "out.c-python.by_country" }] },
        },
        parameters: {
          blocks: [
            { name: "Load", codes: [{ name: "read", script: ["import csv", "rows = list(csv.DictReader(open('in/tables/orders.csv')))", "print(f'read {len(rows)} orders')"] }] },
            { name: "Aggregate", codes: [{ name: "sum", script: ["totals = {}", "for r in rows:", "    totals[r['country']] = totals.get(r['country'], 0) + int(r['amount'])", "w = csv.writer(open('out/tables/by_country.csv', 'w', newline=''))", "w.writerow(['country', 'amount'])", "w.writerows(sorted(totals.items()))"] }] },
          ],
        },
      },
    });
    expect(job.status, JSON.stringify(job.result)).toBe("success");
    expect(await messages(job)).toContain("read 4 orders");
    expect(await rows(auth.projectId, "out.c-python.by_country")).toEqual([["cz", "22"], ["de", "25"]]);

    const packages = await runToEnd(auth, { component: "keboola.python-transformation-v2", configData: { parameters: { packages: ["surely-not-installed-pkg"], blocks: [{ codes: [{ script: ["print(1)"] }] }] } } });
    expect(packages.status).toBe("error");
    expect(packages.result.error?.message).toMatch(/surely-not-installed-pkg.*cannot be installed|cannot be installed.*surely-not-installed-pkg/);

    const failing = await runToEnd(auth, { component: "keboola.python-transformation-v2", configData: { parameters: { blocks: [{ codes: [{ script: ["raise ValueError('boom')"] }] }] } } });
    expect(failing.status).toBe("error");
    expect(failing.result.error).toEqual({ type: "user", message: expect.stringContaining("ValueError: boom") });
  });

  it("a bad output (malformed manifest) fails the job naming the file, and nothing reaches Storage", async () => {
    // The probe writes orders.csv with a manifest; a processor-free config whose mapping names a missing source.
    const job = await runToEnd(auth, {
      component: probe,
      configData: {
        storage: {
          input: { tables: [{ source: "in.c-shop.orders", destination: "orders.csv" }] },
          output: { tables: [{ source: "orders.csv", destination: "out.c-bad.orders" }, { source: "missing.csv", destination: "out.c-bad.missing" }] },
        },
        parameters: { mode: "copy" },
      },
    });
    expect(job.status).toBe("error");
    expect(job.result.error?.type).toBe("user");
    expect(job.result.error?.message).toContain("missing.csv");
    expect(await db().storageTable.findUnique({ where: { projectId_tableId: { projectId: auth.projectId, tableId: "out.c-bad.orders" } } })).toBeNull();
  });

  it("a file uploaded as input by tags reaches in/files", async () => {
    const file = await uploadText(auth, env.filesDir, "hello", "greeting.txt");
    await db().file.update({ where: { id: file.id }, data: { tags: ["greeting"] } });
    const job = await runToEnd(auth, {
      component: probe,
      mode: "debug",
      configData: { storage: { input: { files: [{ tags: ["greeting"] }] } }, parameters: { mode: "print", lines: 1 } },
    });
    expect(job.status).toBe("success");
    const stage0 = await unzip(job.result.files!.find((f) => f.name === "stage_0.zip")!.id);
    expect(stage0[`in/files/${file.id}_greeting.txt`]).toBe("hello");
  });
});
