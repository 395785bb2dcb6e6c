import "server-only";
// How a component reads and writes Storage: through Storage jobs carrying the job's runId, as a
// Keboola component does, so each import and export shows in Storage → Jobs and in the job's tree.
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { File, Job, StorageJob } from "@/lib/generated/prisma/client";
import { ensureBucket } from "@/lib/storage/buckets";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { storeFile } from "@/lib/storage/files/store-file";
import { isFinalStorageStatus } from "@/lib/storage/jobs/state";
import { requestTableCreate, requestTableImport, requestTableOperation } from "@/lib/storage/jobs/requests";
import type { JobResult } from "@/lib/schemas/jobs";
import { parseTableId } from "@/lib/storage/identifiers";
import { UserError, sleep } from "./types";

export type TableRef = { id: string; name: string; displayName: string; columns: { name: string }[]; bytes: number };

export type StorageClient = ReturnType<typeof storageClient>;

export function storageClient(db: Db, job: Job, signal: AbortSignal) {
  const debug = job.mode === "debug";
  // Debug runs: what was read and what would have been written, listed in the result.
  const snapshots: NonNullable<JobResult["files"]> = [];
  const auth = { projectId: job.projectId, tokenId: job.tokenId } as AuthContext;
  const common = { db, auth, runId: job.runId };

  async function finished(queued: { id: bigint }): Promise<StorageJob> {
    for (;;) {
      const sj = await db.storageJob.findUniqueOrThrow({ where: { id: queued.id } });
      if (isFinalStorageStatus(sj.status)) {
        if (sj.status !== "success") throw new UserError(`Storage job ${sj.id} (${sj.operationName} ${sj.tableId ?? ""}) failed: ${sj.errorMessage ?? "unknown error"}`);
        return sj;
      }
      await sleep(100, signal);
    }
  }

  async function tableRef(tableId: string, bytes: number): Promise<TableRef> {
    const table = await db.storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId: job.projectId, tableId } } });
    return { id: table.tableId, name: table.name, displayName: table.displayName, columns: table.columns.map((name) => ({ name })), bytes };
  }

  return {
    debug,
    snapshots,
    /** Stores bytes as a File of this job's run. */
    saveFile(name: string, source: Readable, tags: string[] = []): Promise<File> {
      return storeFile({ db, projectId: job.projectId, tokenId: job.tokenId, name, source, tags, runId: job.runId, contentType: "text/csv" });
    },

    /** Loads a CSV File into `tableId`: creates bucket and table when missing, else imports into it.
     *  In debug mode nothing is written: the File is kept as a snapshot and null is returned. */
    async writeTable(tableId: string, file: File, options: { incremental?: boolean; primaryKey?: string[] } = {}): Promise<TableRef | null> {
      const parsed = parseTableId(tableId);
      if (!parsed) throw new UserError(`"${tableId}" is not a table id such as out.c-reports.revenue.`);
      if (debug) {
        snapshots.push({ id: file.id.toString(), name: file.name, role: "output", tableId });
        return null;
      }
      await ensureBucket({ db, projectId: job.projectId, stage: parsed.stage, name: parsed.bucketName });
      const exists = await db.storageTable.findUnique({ where: { projectId_tableId: { projectId: job.projectId, tableId } } });
      try {
        const queued = exists
          ? await requestTableImport({ ...common, tableId, input: { dataFileId: file.id.toString(), incremental: options.incremental ?? false } })
          : await requestTableCreate({ ...common, bucketId: parsed.bucketId, input: { name: parsed.name, dataFileId: file.id.toString(), primaryKey: options.primaryKey } as never });
        await finished(queued);
      } catch (error) {
        if (error instanceof ApiError) throw new UserError(`Cannot write ${tableId}: ${error.message}`);
        throw error;
      }
      return tableRef(tableId, Number(file.sizeBytes));
    },

    /** Exports `tableId` to a File (a Storage job) and opens it. */
    async readTable(tableId: string): Promise<{ table: TableRef; file: File; open(): Promise<Readable> }> {
      let queued;
      try {
        queued = await requestTableOperation({ ...common, tableId, operationName: "tableExport" });
      } catch (error) {
        if (error instanceof ApiError) throw new UserError(`Cannot read ${tableId}: ${error.message}`);
        throw error;
      }
      const done = await finished(queued);
      const fileId = BigInt((done.results as { file: { id: string } }).file.id);
      const file = await db.file.findUniqueOrThrow({ where: { id: fileId } });
      if (debug) snapshots.push({ id: file.id.toString(), name: file.name, role: "input", tableId });
      return {
        table: await tableRef(tableId, Number(file.sizeBytes)),
        file,
        open: async () => (await openStoredFile({ storagePath: file.storagePath })).stream,
      };
    },
  };
}
