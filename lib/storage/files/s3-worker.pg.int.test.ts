// PostgreSQL only: a worker process (`npm run worker`, another process, as on another machine) reads
// a File this process stored in the S3 backend, and writes one this process then reads. Neither
// shares a files folder with the other: the bytes go through s3rver only.
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { createBucket } from "@/lib/storage/buckets";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { S3FileStore } from "@/lib/storage/files/s3-file-store";
import { storeFile } from "@/lib/storage/files/store-file";
import { requestTableCreate, requestTableOperation } from "@/lib/storage/jobs/requests";
import { previewTable } from "@/lib/storage/tables";
import { createTestProject, unique } from "@/test/factories";
import { type S3TestServer, startS3Server } from "@/test/s3-server";
import { waitFor } from "@/test/wait";
import { type WorkerProcess, spawnWorker, stopWorkers } from "@/test/worker-processes";

let s3: S3TestServer;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await stopWorkers(workers);
  await s3?.stop();
});

const finished = (id: bigint) =>
  waitFor("the worker process to finish the Storage job", async () => {
    const job = await db().storageJob.findUniqueOrThrow({ where: { id } });
    return job.status === "success" || job.status === "error" ? job : null;
  }, 60_000);

describe("Files shared through S3 between processes", () => {
  it("a worker process imports a file this process stored, and exports one this process reads", async () => {
    const store = new S3FileStore(s3.config);
    const { auth, project } = await createTestProject();
    const bucketName = unique("b").replace(/[^A-Za-z0-9_-]/g, "_");
    await createBucket({ db: db(), projectId: project.id, input: { name: bucketName, stage: "in" } });
    const file = await storeFile({ db: db(), projectId: project.id, tokenId: auth.tokenId, name: "orders.csv", source: Readable.from([Buffer.from("id,amount\n1,10\n2,20\n")]), store });

    // Its own data folder, so nothing but S3 connects the two processes' files.
    workers.push(spawnWorker(inject("databaseUrl"), { ...s3.env, JOBDECK_DATA_DIR: `/tmp/${unique("jobdeck-other-machine")}` }));
    const created = await requestTableCreate({ db: db(), auth, runId: null, bucketId: `in.c-${bucketName}`, input: { name: "orders", dataFileId: file.id.toString(), primaryKey: [] } });
    const createJob = await finished(created.id);
    expect(createJob, workers[0]!.output()).toMatchObject({ status: "success" });
    expect(createJob.workerId).not.toBe("test-worker");
    const tableId = `in.c-${bucketName}.orders`;
    expect((await previewTable({ db: db(), projectId: project.id, tableId, limit: 10 })).rows.sort()).toEqual([["1", "10"], ["2", "20"]]);

    const exported = await requestTableOperation({ db: db(), auth, runId: null, tableId, operationName: "tableExport" });
    const exportJob = await finished(exported.id);
    expect(exportJob.status).toBe("success");
    const exportFile = await db().file.findUniqueOrThrow({ where: { id: BigInt((exportJob.results as { file: { id: string } }).file.id) } });
    const bytes = (await buffer((await openStoredFile({ storagePath: exportFile.storagePath, store })).stream)).toString();
    expect(bytes.replaceAll('"', "").trim().split("\n").sort()).toEqual(["1,10", "2,20", "id,amount"]);
  }, 120_000);
});
