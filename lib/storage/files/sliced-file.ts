import "server-only";
// A sliced File (Keboola's isSliced): its contents are a manifest, `{"entries": [{"url": …}, …]}`,
// stored beside it as `<storagePath>manifest`, and each entry names one slice. A slice is either
// another File of the project (the url that prepare, the detail or the download gave for it, on
// either backend) or an object under the sliced File's own key (what Keboola's clients upload to
// `uploadParams.key` + a name, with `s3://bucket/key…` urls). Resolved to store keys here, before
// any byte is read, so that a slice that is missing or outside the project fails with its name.
import { z } from "zod";
import type { Db } from "@/lib/db";
import type { File } from "@/lib/generated/prisma/client";
import type { FileStore } from "@/lib/storage/files/file-store";
import { isDirectAccess } from "@/lib/storage/files/file-store";
import { liveFilesWhere } from "@/lib/storage/files/get-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_SLICES = 10_000;

/** One slice: its manifest url, its store key and size, and the name its errors give (the File's name, or the last part of its key). */
export type Slice = { url: string; key: string; size: number; name: string };

const manifestSchema = z.object({ entries: z.array(z.object({ url: z.string().min(1).max(4096) }).loose()).min(1).max(MAX_SLICES) }).loose();

/** The key of a sliced File's manifest. */
export const manifestKey = (file: Pick<File, "storagePath">) => `${file.storagePath}manifest`;

// Jobdeck's own urls for a File: /api/v2/storage/files/{id}, its /download, its /upload.
const JOBDECK_FILE_URL = /\/v2\/storage\/files\/(\d{1,18})(?:\/(?:download|upload))?\/?$/;
// A key Jobdeck generates: <project>/<yyyy-mm>/<uuid>, and under a sliced File's key, its slices.
const STORE_KEY = /(?:^|\/)(\d{1,10})\/(\d{4}-\d{2})\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/[^?#]*)?$/;

const refuse = (index: number, url: string, why: string) => new StorageJobError("invalidSlice", `Slice ${index + 1} of the sliced file's manifest (${url.slice(0, 200)}) ${why}.`);

async function readManifest(file: File, store: FileStore): Promise<z.infer<typeof manifestSchema>> {
  const found = await store.get(manifestKey(file));
  if (!found) throw new StorageJobError("fileGone", `File ${file.id} is sliced, but its manifest is not in Jobdeck's file store; upload the manifest to the key prepare gave, followed by "manifest".`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of found.stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_MANIFEST_BYTES) {
      found.stream.destroy();
      throw new StorageJobError("invalidManifest", `The manifest of sliced file ${file.id} is larger than ${MAX_MANIFEST_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new StorageJobError("invalidManifest", `The manifest of sliced file ${file.id} is not JSON; it should be {"entries": [{"url": "…"}, …]}.`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new StorageJobError("invalidManifest", `The manifest of sliced file ${file.id} should be {"entries": [{"url": "…"}, …]} with 1 to ${MAX_SLICES} entries.`);
  return parsed.data;
}

/** The store key an entry's url names, and the File it is when it names one by id. */
function keyOf(url: string, store: FileStore): { fileId: bigint } | { key: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  const byId = JOBDECK_FILE_URL.exec(path);
  if (byId && parsed.protocol !== "s3:") return { fileId: BigInt(byId[1]!) };
  // s3://bucket/key names the bucket as its host: another bucket is not this Jobdeck's store.
  if (parsed.protocol === "s3:" && isDirectAccess(store) && parsed.hostname !== store.bucket) return null;
  const key = STORE_KEY.exec(parsed.protocol === "s3:" ? `/${path.replace(/^\/+/, "")}` : path);
  return key ? { key: `${key[1]}/${key[2]}/${key[3]}${key[4] ?? ""}` } : null;
}

/**
 * The slices of a sliced File, in the manifest's order, each checked to be there. Refuses
 * (StorageJobError "invalidSlice", naming the slice) an entry that is not a File of the project or
 * an object under the File's own key, and one whose bytes are missing.
 */
export async function resolveSlices(options: { db: Db; file: File; store: FileStore; now?: Date }): Promise<Slice[]> {
  const { db, file, store } = options;
  const manifest = await readManifest(file, store);
  const named = manifest.entries.map(({ url }, index) => {
    const found = keyOf(url, store);
    if (!found) throw refuse(index, url, "is not a file of Jobdeck's file store: give the url of a file uploaded to this project");
    return found;
  });
  // The Files the entries name, by id and by key, in two queries whatever the number of slices.
  const live = liveFilesWhere(file.projectId, options.now ?? new Date());
  const ids = named.flatMap((n) => ("fileId" in n ? [n.fileId] : []));
  const paths = named.flatMap((n) => ("key" in n && !n.key.startsWith(file.storagePath) ? [n.key] : []));
  const byId = new Map((ids.length > 0 ? await db.file.findMany({ where: { id: { in: ids }, ...live } }) : []).map((f) => [f.id, f]));
  const byPath = new Map(
    (paths.length > 0 ? await db.file.findMany({ where: { storagePath: { in: paths }, isSliced: false, ...live } }) : []).map((f) => [f.storagePath, f]),
  );
  const slices: Slice[] = [];
  for (const [index, { url }] of manifest.entries.entries()) {
    const entry = named[index]!;
    let key: string;
    let name: string;
    if ("fileId" in entry) {
      const slice = byId.get(entry.fileId);
      if (!slice) throw refuse(index, url, `names file ${entry.fileId}, which is not a file of this project (or has expired)`);
      if (slice.isSliced) throw refuse(index, url, `names file ${slice.id}, which is itself sliced`);
      key = slice.storagePath;
      name = slice.name;
    } else if (entry.key.startsWith(file.storagePath) && entry.key !== manifestKey(file)) {
      key = entry.key;
      name = entry.key.slice(file.storagePath.length).replace(/^\/+/, "") || entry.key;
    } else {
      if (!entry.key.startsWith(`${file.projectId}/`)) throw refuse(index, url, "is a file of another project");
      const slice = byPath.get(entry.key);
      if (!slice) throw refuse(index, url, "is not a file of this project (or has expired)");
      key = slice.storagePath;
      name = slice.name;
    }
    const found = await store.stat(key);
    if (!found) throw refuse(index, url, "has no contents in Jobdeck's file store (it was never uploaded, or was deleted)");
    slices.push({ url, key, size: found.size, name: name.slice(0, 200) });
  }
  return slices;
}
