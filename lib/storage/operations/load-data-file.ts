import "server-only";
import type { Db } from "@/lib/db";
import { liveFilesWhere } from "@/lib/storage/files/get-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";

export async function loadDataFile(db: Db, projectId: number, fileId: unknown) {
  const id = typeof fileId === "string" && /^\d{1,18}$/.test(fileId) ? BigInt(fileId) : null;
  const file = id === null ? null : await db.file.findFirst({ where: { id, ...liveFilesWhere(projectId, new Date()) } });
  if (!file) throw new StorageJobError("fileNotFound", `File ${String(fileId).slice(0, 40)} was not found or has expired.`);
  return file;
}

export async function loadTable(db: Db, projectId: number, tableId: string | null) {
  const table = tableId ? await db.storageTable.findUnique({ where: { projectId_tableId: { projectId, tableId } } }) : null;
  if (!table) throw new StorageJobError("tableNotFound", `Table ${tableId ?? "(none)"} was not found; it may have been dropped.`);
  return table;
}
