import "server-only";
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ListFilesInput } from "@/lib/schemas/storage";
import { liveFilesWhere } from "@/lib/storage/files/get-file";

/** Live files newest first: every tag must match, `q` searches the name. */
export async function listFiles(options: { db: Db; projectId: number; input: ListFilesInput; now?: Date }) {
  const { input } = options;
  const where: Prisma.FileWhereInput = {
    AND: [
      liveFilesWhere(options.projectId, options.now ?? new Date()),
      {
        ...(input.tags && { tags: { hasEvery: input.tags } }),
        ...(input.q && { name: { contains: input.q, mode: "insensitive" } }),
        ...(input.runId && { runId: input.runId }),
        ...(input.id && { id: { in: input.id.map((id) => BigInt(id)) } }),
      },
    ],
  };
  return options.db.file.findMany({
    where,
    orderBy: { id: "desc" },
    skip: input.offset,
    take: input.limit,
    include: { token: { select: { id: true, description: true } } },
  });
}
