import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

/** Files a project can see: its own, and not expired. */
export function liveFilesWhere(projectId: number, now: Date): Prisma.FileWhereInput {
  return { projectId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

export function parseFileId(raw: string): bigint | null {
  return /^\d{1,18}$/.test(raw) ? BigInt(raw) : null;
}

/** One live file of the project with its creator token; expired or foreign files are "not found". */
export async function getFile(options: { db: Db; projectId: number; id: string; now?: Date }) {
  const id = parseFileId(options.id);
  const file =
    id === null
      ? null
      : await options.db.file.findFirst({
          where: { id, ...liveFilesWhere(options.projectId, options.now ?? new Date()) },
          include: { token: { select: { id: true, description: true } } },
        });
  if (!file) throw notFound(`File ${options.id.slice(0, 40)}`);
  return file;
}
