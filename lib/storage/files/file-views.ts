import "server-only";
import type { File } from "@/lib/generated/prisma/client";
import type { FileJson } from "@/lib/schemas/storage";
import { defaultFileStore, type FileStore, isDirectAccess } from "@/lib/storage/files/file-store";

// How long a signed download URL in a file's detail works.
export const DOWNLOAD_URL_SECONDS = 3600;

type FileWithToken = File & { token: { id: number; description: string } };

export function toFileJson(file: FileWithToken, origin: string, store: FileStore = defaultFileStore()): FileJson {
  return {
    id: file.id.toString(),
    created: file.created.toISOString(),
    name: file.name,
    sizeBytes: Number(file.sizeBytes),
    contentType: file.contentType,
    tags: file.tags,
    runId: file.runId,
    sha256: file.sha256,
    expiresAt: file.expiresAt?.toISOString() ?? null,
    url: `${origin}/api/v2/storage/files/${file.id}/download`,
    creatorToken: { id: String(file.token.id), description: file.token.description },
    provider: isDirectAccess(store) ? "aws" : "local",
    region: isDirectAccess(store) ? store.region : "local",
    isSliced: file.isSliced,
    isPublic: false,
    isEncrypted: true,
    uploadState: file.uploadState === "prepared" ? "prepared" : "uploaded",
    maxAgeDays: file.expiresAt ? Math.max(0, Math.round((file.expiresAt.getTime() - file.created.getTime()) / 86_400_000)) : null,
  };
}

/**
 * A file's detail. On S3 `url` is a signed GET of the object (of the manifest, for a sliced file),
 * as Keboola gives it; with `federationToken` also where it is and the keys to read it directly.
 * On the local backend `url` is Jobdeck's own download, which needs the token header.
 */
export async function toFileDetail(file: FileWithToken, origin: string, options: { federationToken?: boolean; store?: FileStore } = {}): Promise<FileJson> {
  const store = options.store ?? defaultFileStore();
  const json = toFileJson(file, origin, store);
  if (!isDirectAccess(store)) return { ...json, download: { method: "GET", url: json.url, needs: "the X-StorageApi-Token header" } };
  const key = file.isSliced ? `${file.storagePath}manifest` : file.storagePath;
  const url = file.uploadState === "uploaded" ? await store.presignGet(key, { expiresInSeconds: DOWNLOAD_URL_SECONDS, fileName: file.isSliced ? undefined : file.name }) : json.url;
  if (!options.federationToken) return { ...json, url };
  return { ...json, url, s3Path: { bucket: store.bucket, key: file.storagePath }, credentials: await store.clientCredentials() };
}
