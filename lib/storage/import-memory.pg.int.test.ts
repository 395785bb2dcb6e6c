// PostgreSQL only: an import's memory does not grow with its file. The file (~45 MB, made on the fly,
// never whole in memory) is staged through COPY with backpressure, so this process holds a few
// chunks at a time: its RSS may rise by far less than the file. (The bench checks the same at 1 GB:
// `npm run bench:storage -- --rows 10000000 --max-rss 300`.)
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createBucket } from "@/lib/storage/buckets";
import { storeFile } from "@/lib/storage/files/store-file";
import { getStorageJob } from "@/lib/storage/jobs/get-storage-job";
import { requestTableCreate, requestTableImport } from "@/lib/storage/jobs/requests";
import { getTable } from "@/lib/storage/tables";
import { createTestProject, unique } from "@/test/factories";
import { drainStorageJobs, makeFilesDir } from "@/test/storage";

const ROWS = 500_000;

/** About 45 MB of CSV (90 bytes a row), written as it is read. */
function bigCsv(): Readable {
  const rows = ROWS;
  return Readable.from(
    (function* () {
      yield Buffer.from("id,customer,note\n");
      for (let from = 1; from <= rows; from += 10_000) {
        let chunk = "";
        for (let i = from; i < Math.min(from + 10_000, rows + 1); i++) chunk += `${i},Customer ${i % 5000},"note ${i}, quoted, and padded to a hundred bytes ..........."\n`;
        yield Buffer.from(chunk);
      }
    })(),
  );
}

/** The highest RSS while `work` runs, above what it was when it started. */
async function rssGrowthMb(work: () => Promise<unknown>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return (Math.max(peak, process.memoryUsage().rss) - base) / 1024 / 1024;
}

describe("import memory", () => {
  it("stays far below the file's size, for a new table and for a full import into it", { timeout: 180_000 }, async () => {
    const filesDir = makeFilesDir();
    const t = await createTestProject();
    const bucket = unique("b").replace(/[^A-Za-z0-9_-]/g, "_");
    await createBucket({ db: db(), projectId: t.project.id, input: { name: bucket, stage: "in" } });
    // A small import first: what any first import loads once (modules, code compiled hot, a
    // connection's buffers) is not what this test is about.
    const small = await storeFile({ db: db(), projectId: t.project.id, tokenId: t.auth.tokenId, name: "small.csv", source: Readable.from(["id,customer,note\n1,a,b\n"]), filesDir });
    await requestTableCreate({ db: db(), auth: t.auth, runId: null, bucketId: `in.c-${bucket}`, input: { name: "small", dataFileId: small.id.toString(), primaryKey: ["id"] } });
    await drainStorageJobs(filesDir);
    await requestTableImport({ db: db(), auth: t.auth, runId: null, tableId: `in.c-${bucket}.small`, input: { dataFileId: small.id.toString(), incremental: false } });
    await drainStorageJobs(filesDir);

    const file = await storeFile({ db: db(), projectId: t.project.id, tokenId: t.auth.tokenId, name: "big.csv", source: bigCsv(), filesDir });
    const fileMb = Number(file.sizeBytes) / 1024 / 1024;
    expect(fileMb).toBeGreaterThan(35);

    const created = await requestTableCreate({ db: db(), auth: t.auth, runId: null, bucketId: `in.c-${bucket}`, input: { name: "big", dataFileId: file.id.toString(), primaryKey: ["id"] } });
    const createGrowth = await rssGrowthMb(() => drainStorageJobs(filesDir));
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: created.id.toString(), origin: "http://jobdeck.test" })).toMatchObject({ status: "success" });

    const tableId = `in.c-${bucket}.big`;
    const imported = await requestTableImport({ db: db(), auth: t.auth, runId: null, tableId, input: { dataFileId: file.id.toString(), incremental: false } });
    const importGrowth = await rssGrowthMb(() => drainStorageJobs(filesDir));
    expect(await getStorageJob({ db: db(), projectId: t.project.id, id: imported.id.toString(), origin: "http://jobdeck.test" })).toMatchObject({ status: "success" });
    expect((await getTable({ db: db(), projectId: t.project.id, tableId })).rowsCount).toBe(ROWS);

    // Half the file: generous for a busy heap, and still far from holding it (the csv-parse path held batches of parsed rows).
    expect(createGrowth).toBeLessThan(fileMb / 2);
    expect(importGrowth).toBeLessThan(fileMb / 2);
  });
});
