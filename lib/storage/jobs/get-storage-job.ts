import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { StorageJobJson } from "@/lib/schemas/storage";
import { toStorageJobJson, withToken } from "@/lib/storage/jobs/views";

export async function getStorageJob(options: { db: Db; projectId: number; id: string; origin: string }): Promise<StorageJobJson> {
  const id = /^\d{1,18}$/.test(options.id) ? BigInt(options.id) : null;
  const job = id === null ? null : await options.db.storageJob.findFirst({ where: { id, projectId: options.projectId }, include: withToken });
  if (!job) throw notFound(`Storage job ${options.id.slice(0, 40)}`);
  return toStorageJobJson(job, options.origin);
}
