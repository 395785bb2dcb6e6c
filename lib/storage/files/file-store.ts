import "server-only";
// THE one way to a File's bytes: every upload, download, table import and export, component data
// folder and HarperDB operation reads and writes through a FileStore, so that a worker on another
// machine reads what any other process stored. Two backends: the local files folder (the default)
// and any S3-compatible object store (JOBDECK_S3_*).
import type { Readable } from "node:stream";
import { env } from "@/lib/env";
import { LocalFileStore } from "@/lib/storage/files/local-file-store";
import { S3FileStore } from "@/lib/storage/files/s3-file-store";

export { FileSizeMismatchError } from "@/lib/storage/files/meter";

export type PutOptions = {
  // The write fails (FileTooLargeError) past this many bytes.
  maxBytes: number;
  // When set, anything else than exactly this many bytes fails (FileSizeMismatchError).
  expectedSize?: number;
  contentType?: string;
  // Local backend: the temporary file's name (a job passes one derived from its id, so a retry overwrites its leftovers).
  tempName?: string;
};

export type StoredObject = { key: string; size: number; modified: Date };

/** Short-lived keys a client uses to talk to the object store itself (Keboola's federation token). */
export type ClientCredentials = { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };

export interface FileStore {
  readonly kind: "local" | "s3";
  /** Streams `source` to `key`. All or nothing: on any error nothing is left under `key`. */
  put(key: string, source: Readable, options: PutOptions): Promise<{ sizeBytes: bigint; sha256: string | null }>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes `key`; nothing there is no error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): AsyncIterable<StoredObject>;
}

/** What Keboola's clients need to reach an S3 store directly. */
export interface DirectAccessStore extends FileStore {
  readonly kind: "s3";
  readonly bucket: string;
  readonly region: string;
  presignGet(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string>;
  clientCredentials(): Promise<ClientCredentials>;
}

let defaultStore: FileStore | null = null;

/** The store this process's Files live in: S3 when JOBDECK_S3_BUCKET is set, else JOBDECK_DATA_DIR/files. */
export function defaultFileStore(): FileStore {
  return (defaultStore ??= env.s3 ? new S3FileStore(env.s3) : new LocalFileStore(env.filesDir));
}

/** `store` when given, else a local store over `filesDir` (tests), else the default one. */
export function pickFileStore(options: { store?: FileStore; filesDir?: string }): FileStore {
  return options.store ?? (options.filesDir !== undefined ? new LocalFileStore(options.filesDir) : defaultFileStore());
}

export function isDirectAccess(store: FileStore): store is DirectAccessStore {
  return store.kind === "s3";
}
