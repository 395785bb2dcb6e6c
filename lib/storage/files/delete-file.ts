import "server-only";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { notFound } from "@/lib/errors";
import { getFile } from "@/lib/storage/files/get-file";

export async function deleteFile(options: { db: Db; projectId: number; id: string; filesDir?: string }): Promise<void> {
  const file = await getFile(options);
  // Two deletes at once: the second finds nothing to delete, and says so.
  const { count } = await options.db.file.deleteMany({ where: { id: file.id } });
  if (count === 0) throw notFound(`File ${options.id.slice(0, 40)}`);
  await rm(path.join(options.filesDir ?? env.filesDir, file.storagePath), { force: true });
}
