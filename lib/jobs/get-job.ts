import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { loadJobViews } from "@/lib/jobs/views";
import type { JobJson } from "@/lib/schemas/jobs";

export function parseJobId(raw: string): bigint {
  if (!/^\d{1,18}$/.test(raw)) throw notFound(`Job "${raw.slice(0, 40)}"`);
  return BigInt(raw);
}

/** One job of the caller's project; another project's job is "not found", never "forbidden". */
export async function getJob(options: { db: Db; projectId: number; id: string; origin: string }): Promise<JobJson> {
  const id = parseJobId(options.id);
  const [job] = await loadJobViews({ db: options.db, projectId: options.projectId, ids: [id], origin: options.origin });
  if (!job) throw notFound(`Job ${options.id}`);
  return job;
}
