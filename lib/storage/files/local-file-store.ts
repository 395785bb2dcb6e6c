import "server-only";
// Files in a folder of this machine (JOBDECK_DATA_DIR/files): the embedded default.
import { createReadStream } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { FileStore, PutOptions, StoredObject } from "@/lib/storage/files/file-store";
import { TEMP_DIR, writeFileAtomically } from "@/lib/storage/files/write-file";

export class LocalFileStore implements FileStore {
  readonly kind = "local";

  constructor(readonly dir: string) {}

  /** Keys are generated (`<project>/<yyyy-mm>/<uuid>`); anything that could leave the folder is refused. */
  private full(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) || key.split("/").some((part) => part === "" || part === "." || part === "..")) {
      throw new Error(`Not a file key: ${key.slice(0, 100)}`);
    }
    return path.join(this.dir, key);
  }

  async put(key: string, source: Readable, options: PutOptions) {
    const full = this.full(key);
    return writeFileAtomically({
      filesDir: this.dir,
      storagePath: path.relative(this.dir, full),
      tempName: options.tempName ?? `${key.replaceAll("/", "_")}.part`,
      source,
      maxBytes: options.maxBytes,
      expectedSize: options.expectedSize,
    });
  }

  async get(key: string) {
    const full = this.full(key);
    const info = await stat(full).catch(() => null);
    return info?.isFile() ? { stream: createReadStream(full), size: info.size } : null;
  }

  async stat(key: string) {
    const info = await stat(this.full(key)).catch(() => null);
    return info?.isFile() ? { size: info.size } : null;
  }

  async delete(key: string) {
    await rm(this.full(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const walk = async function* (dir: string, rel: string): AsyncIterable<StoredObject> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
        throw error;
      }
      for (const entry of entries) {
        const key = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (key === TEMP_DIR) continue;
        if (entry.isDirectory()) yield* walk(path.join(dir, entry.name), key);
        else if (entry.isFile() && key.startsWith(prefix)) {
          const info = await stat(path.join(dir, entry.name)).catch(() => null);
          if (info) yield { key, size: info.size, modified: info.mtime };
        }
      }
    };
    // Only the folders the prefix can be in.
    const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    yield* walk(base === "" ? this.dir : this.full(base), base);
  }
}
