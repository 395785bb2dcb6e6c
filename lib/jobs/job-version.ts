import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db";

/**
 * A validator (weak ETag) for a job's JSON that costs one aggregate query: it changes whenever the
 * job or anything in its subtree is updated (Prisma stamps `updatedAt` on every update) or changes
 * status, a job joins the subtree, or its configuration (whose name the JSON carries) changes.
 * Null: no such job.
 */
export async function jobVersionTag(options: { db: Db; projectId: number; id: string; origin: string }): Promise<string | null> {
  if (!/^\d{1,18}$/.test(options.id)) return null;
  // Statuses are summed up too: two updates within one millisecond leave `updatedAt` alone.
  const rows = await options.db.$queryRaw<{ jobs: number; latest: string; states: string; config: string | null }[]>`
    SELECT count(c.id)::int AS jobs,
           max(c."updatedAt")::text AS latest,
           md5(string_agg(c.id::text || c.status || coalesce(c."waitReason", ''), ',' ORDER BY c.id)) AS states,
           (SELECT max(cf."updatedAt")::text FROM "Configuration" cf
             WHERE cf."projectId" = p."projectId" AND cf."componentId" = p.component
               AND cf."configId" = p.config AND cf."branchId" = p."branchId") AS config
    FROM "Job" p
    JOIN "Job" c ON c."projectId" = p."projectId" AND c."rootRunId" = p."rootRunId"
                 AND (c.id = p.id OR c."runId" LIKE p."runId" || '.%')
    WHERE p.id = ${BigInt(options.id)} AND p."projectId" = ${options.projectId}
    GROUP BY p.id`;
  const row = rows[0];
  if (!row) return null;
  const digest = createHash("sha1").update([options.id, row.jobs, row.latest, row.states, row.config ?? "", options.origin].join("\u0000")).digest("base64url");
  return `W/"${digest.slice(0, 22)}"`;
}
