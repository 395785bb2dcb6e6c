// Process components for tests: a fixture folder (test/fixtures/components/<name>) packed as
// tar.gz and added to a project through the registry, and a job run to its final status.
import path from "node:path";
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import { addComponent } from "@/lib/components/components";
import { packFolder } from "@/lib/components/pack-folder";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { FINAL_STATUSES } from "@/lib/jobs/state";
import type { CreateJobInput, JobResult } from "@/lib/schemas/jobs";
import type { ComponentSettings } from "@/lib/schemas/components";
import { unique } from "@/test/factories";
import { waitFor } from "@/test/wait";
import { storageClient } from "@/worker/components/storage-client";

export const FIXTURES = path.join(import.meta.dirname, "fixtures", "components");

/** Adds the fixture `name` as a new process component of the project; returns its id. */
export async function addFixtureComponent(auth: AuthContext, name: string, command: string[], settings: ComponentSettings = {}) {
  const id = `test.${unique(name).toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
  await addComponent({
    db: db(),
    auth,
    input: { id, name, type: "application", description: "", configurationSchema: null, settings, command, tag: "v1" },
    code: { bytes: await packFolder(path.join(FIXTURES, name)), fileName: `${name}.tar.gz` },
  });
  return id;
}

export type FinishedJob = Awaited<ReturnType<typeof runToEnd>>;

/** Creates a job and waits for its final status. */
export async function runToEnd(auth: AuthContext, input: Partial<CreateJobInput> & { component: string }, timeoutMs = 60_000) {
  const job = await createJob({ db: db(), auth, input: { mode: "run", ...input } as CreateJobInput });
  return waitFor(
    `job ${job.id}`,
    async () => {
      const j = await db().job.findUniqueOrThrow({ where: { id: job.id } });
      return (FINAL_STATUSES as readonly string[]).includes(j.status) ? { ...j, result: j.result as JobResult } : null;
    },
    timeoutMs,
  );
}

export async function jobEvents(runId: string, projectId: number) {
  return db().jobEvent.findMany({ where: { projectId, runId }, orderBy: { id: "asc" } });
}

/** The rows of a Storage table, in their columns' order, sorted by the first columns. */
export async function tableRows(projectId: number, tableId: string): Promise<string[][]> {
  const table = await db().storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId, tableId } } });
  const found = await db().$queryRawUnsafe<Record<string, string>[]>(`SELECT * FROM storage."${table.sqlName}" ORDER BY 1, 2`);
  return found.map((r) => table.columns.map((c) => r[c]!));
}

/** A Storage client of a finished job row of the project (no worker claims it), for setting up data. */
export async function storageFor(auth: AuthContext) {
  const runId = unique("r").replace(/\D/g, "").slice(-15);
  const job = await db().job.create({ data: { projectId: auth.projectId, tokenId: auth.tokenId, runId, rootRunId: runId, component: "jobdeck.noop", status: "success", attempt: 1 } });
  return { job, storage: storageClient(db(), job, new AbortController().signal) };
}

/** Creates (or loads) a Storage table from CSV text through Storage jobs; a storage worker must run. */
export async function seedTable(auth: AuthContext, tableId: string, csv: string, primaryKey: string[] = []) {
  const { storage } = await storageFor(auth);
  const file = await storage.saveFile("seed.csv", Readable.from([csv]));
  await storage.writeTable(tableId, file, { primaryKey });
}
