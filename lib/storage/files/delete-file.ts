import "server-only";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { getFile } from "@/lib/storage/files/get-file";

export async function deleteFile(options: { db: Db; projectId: number; id: string; filesDir?: string }): Promise<void> {
  const file = await getFile(options);
  await options.db.file.delete({ where: { id: file.id } });
  await rm(path.join(options.filesDir ?? env.filesDir, file.storagePath), { force: true });
}
