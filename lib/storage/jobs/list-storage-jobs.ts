import "server-only";
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ListStorageJobsInput, StorageJobJson } from "@/lib/schemas/storage";
import { toStorageJobJson, withToken } from "@/lib/storage/jobs/views";

/** Storage jobs newest first, filtered by table, status, operation or run. */
export async function listStorageJobs(options: {
  db: Db;
  projectId: number;
  input: ListStorageJobsInput;
  origin: string;
  // Ours, for HarperDB's search_jobs_by_start_date.
  createdBetween?: { from: Date; to: Date };
}): Promise<StorageJobJson[]> {
  const { input } = options;
  const where: Prisma.StorageJobWhereInput = {
    projectId: options.projectId,
    ...(input.tableId && { tableId: { in: input.tableId } }),
    ...(input.status && { status: { in: input.status } }),
    ...(input.operationName && { operationName: { in: input.operationName } }),
    ...(input.runId && { runId: input.runId }),
    ...(input.id && { id: { in: input.id.map((id) => BigInt(id)) } }),
    ...(options.createdBetween && { createdTime: { gte: options.createdBetween.from, lte: options.createdBetween.to } }),
  };
  const jobs = await options.db.storageJob.findMany({ where, orderBy: { id: "desc" }, skip: input.offset, take: input.limit, include: withToken });
  return jobs.map((job) => toStorageJobJson(job, options.origin));
}
