import "server-only";
// How a component reads and writes Storage: through Storage jobs carrying the job's runId, as a
// Keboola component does, so each import and export shows in Storage → Jobs and in the job's tree.
import { Readable } from "node:stream";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { File, Job, StorageJob } from "@/lib/generated/prisma/client";
import { ensureBucket } from "@/lib/storage/buckets";
import { deleteFile } from "@/lib/storage/files/delete-file";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { contentTypeFor, storeFile } from "@/lib/storage/files/store-file";
import { liveFilesWhere } from "@/lib/storage/files/get-file";
import { isFinalStorageStatus } from "@/lib/storage/jobs/state";
import { requestTableCreate, requestTableExport, requestTableImport } from "@/lib/storage/jobs/requests";
import type { JobResult } from "@/lib/schemas/jobs";
import type { ExportFilters } from "@/lib/schemas/storage";
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

  async function ended(queued: { id: bigint }): Promise<StorageJob> {
    // Small jobs end in milliseconds: look again soon at first, then every 25 ms (a primary-key read).
    for (let wait = 5; ; wait = Math.min(wait * 2, 25)) {
      const sj = await db.storageJob.findUniqueOrThrow({ where: { id: queued.id } });
      if (isFinalStorageStatus(sj.status)) return sj;
      await sleep(wait, signal);
    }
  }

  function succeeded(sj: StorageJob): StorageJob {
    if (sj.status !== "success") throw new UserError(`Storage job ${sj.id} (${sj.operationName} ${sj.tableId ?? ""}) failed: ${sj.errorMessage ?? "unknown error"}`);
    return sj;
  }

  async function finished(queued: { id: bigint }): Promise<StorageJob> {
    return succeeded(await ended(queued));
  }

  async function tableRef(tableId: string, bytes: number): Promise<TableRef> {
    const table = await db.storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId: job.projectId, tableId } } });
    return { id: table.tableId, name: table.name, displayName: table.displayName, columns: table.columns.map((name) => ({ name })), bytes };
  }

  return {
    debug,
    snapshots,
    /** The run this client's Storage jobs and Files belong to, and its parent's (null for a root job). */
    runId: job.runId,
    parentRunId: job.parentRunId,
    /** Stores bytes as a File of this job's run (a CSV unless `contentType` says otherwise; "byName": from the name's extension). */
    async saveFile(name: string, source: Readable, tags: string[] = [], options: { contentType?: string | "byName"; permanent?: boolean } = {}): Promise<File> {
      const file = await storeFile({
        db,
        projectId: job.projectId,
        tokenId: job.tokenId,
        name,
        source,
        tags,
        runId: job.runId,
        contentType: options.contentType === "byName" ? contentTypeFor(name) : (options.contentType ?? "text/csv"),
        ...(options.permanent && { expiresAt: null }),
      });
      // A rerun (the worker of an earlier attempt died) replaces what earlier attempts saved under this name.
      if (job.attempt > 1 && job.startTime) {
        const earlier = await db.file.findMany({ where: { projectId: job.projectId, runId: job.runId, name, id: { not: file.id }, created: { lt: job.startTime } }, select: { id: true } });
        for (const e of earlier) await deleteFile({ db, projectId: job.projectId, id: e.id.toString() });
      }
      return file;
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
      const importInto = async () =>
        finished(await requestTableImport({ ...common, tableId, input: { dataFileId: file.id.toString(), incremental: options.incremental ?? false } }));
      try {
        if (exists) await importInto();
        else {
          const created = await requestTableCreate({ ...common, bucketId: parsed.bucketId, input: { name: parsed.name, dataFileId: file.id.toString(), primaryKey: options.primaryKey } as never })
            .then(ended)
            .catch((error: unknown) => (error instanceof ApiError && error.code === "tableExists" ? null : Promise.reject(error)));
          // The table appeared meanwhile (the create of an earlier attempt of this job, whose worker
          // died, landed first): import into it, as a rerun that found it would have.
          if (created === null || (created.status !== "success" && created.errorCode === "tableExists")) await importInto();
          else succeeded(created);
        }
      } catch (error) {
        if (error instanceof ApiError) throw new UserError(`Cannot write ${tableId}: ${error.message}`);
        throw error;
      }
      return tableRef(tableId, Number(file.sizeBytes));
    },

    /** Exports `tableId` to a File (a Storage job), with Keboola's filters if given, and opens it. */
    async readTable(tableId: string, filters?: ExportFilters): Promise<{ table: TableRef; file: File; open(): Promise<Readable> }> {
      let queued;
      try {
        queued = await requestTableExport({ ...common, tableId, filters });
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

    /** The table's facts for an input manifest (its rows, size, key, dates). */
    async describeTable(tableId: string) {
      return db.storageTable.findUniqueOrThrow({ where: { projectId_tableId: { projectId: job.projectId, tableId } } });
    },

    /** The project's live Files carrying every tag, newest first (`runIdPrefix`: only those of that run and the runs below it). */
    async findFiles(options: { tags: string[]; limit: number; runIdPrefix?: string }): Promise<File[]> {
      const run = options.runIdPrefix;
      return db.file.findMany({
        where: {
          AND: [
            liveFilesWhere(job.projectId, new Date()),
            { tags: { hasEvery: options.tags } },
            ...(run ? [{ OR: [{ runId: run }, { runId: { startsWith: `${run}.` } }] }] : []),
          ],
        },
        orderBy: { id: "desc" },
        take: options.limit,
      });
    },

    /** A File's bytes. */
    async openFile(file: File): Promise<Readable> {
      return (await openStoredFile({ storagePath: file.storagePath })).stream;
    },
  };
}
