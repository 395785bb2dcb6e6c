import "server-only";
import type { Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { type FileStore, pickFileStore } from "@/lib/storage/files/file-store";
import { getFile } from "@/lib/storage/files/get-file";

export async function deleteFile(options: { db: Db; projectId: number; id: string; filesDir?: string; store?: FileStore }): Promise<void> {
  const file = await getFile({ ...options, confirmUpload: false });
  // Two deletes at once: the second finds nothing to delete, and says so.
  const { count } = await options.db.file.deleteMany({ where: { id: file.id } });
  if (count === 0) throw notFound(`File ${options.id.slice(0, 40)}`);
  await removeStoredBytes(pickFileStore(options), file);
}

/** A File's bytes: its object, and for a sliced file its manifest and slices too. */
export async function removeStoredBytes(store: FileStore, file: { storagePath: string; isSliced: boolean }): Promise<void> {
  if (!file.isSliced) return store.delete(file.storagePath);
  for await (const object of store.list(file.storagePath)) await store.delete(object.key);
}
