import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listFilesSchema } from "@/lib/schemas/storage";
import { FileWriteError } from "@/lib/storage/files/fs-errors";
import { getFile } from "@/lib/storage/files/get-file";
import { listFiles } from "@/lib/storage/files/list-files";
import { purgeExpiredFiles } from "@/lib/storage/files/purge-expired-files";
import { storeFile } from "@/lib/storage/files/store-file";
import { sweepOrphanFiles } from "@/lib/storage/files/sweep-orphan-files";
import { createTestProject } from "@/test/factories";
import { makeFilesDir } from "@/test/storage";

let filesDir: string;
beforeAll(() => {
  filesDir = makeFilesDir();
});

const store = (auth: { projectId: number; tokenId: number }, name: string, options: Partial<Parameters<typeof storeFile>[0]> = {}) =>
  storeFile({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, name, source: Readable.from([Buffer.from(`${name}\n`)]), filesDir, ...options });

describe("files", () => {
  it("stores bytes under a generated path, with size and hash, and renames them into place", async () => {
    const { auth } = await createTestProject();
    const file = await store(auth, "orders.csv", { tags: ["a", "a", "b"], runId: "12.13" });
    expect(file).toMatchObject({ name: "orders.csv", sizeBytes: 11n, tags: ["a", "b"], runId: "12.13", contentType: "text/csv" });
    expect(file.storagePath).toMatch(new RegExp(`^${auth.projectId}/\\d{4}-\\d{2}/[0-9a-f-]{36}$`));
    expect(await readFile(path.join(filesDir, file.storagePath), "utf8")).toBe("orders.csv\n");
    expect(file.sha256).toHaveLength(64);
    expect(file.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 14 * 86_400_000);
  });

  it("lists live files newest first, filtered by tags, name and run, and pages", async () => {
    const { auth, project } = await createTestProject();
    const first = await store(auth, "alpha.csv", { tags: ["x", "y"], runId: "5" });
    const second = await store(auth, "beta.csv", { tags: ["x"] });
    const expired = await store(auth, "alpha-old.csv", { tags: ["x", "y"], expiresAt: new Date(Date.now() - 1000) });
    const list = async (query: Record<string, unknown>) =>
      (await listFiles({ db: db(), projectId: project.id, input: listFilesSchema.parse(query) })).map((f) => f.id);
    expect(await list({})).toEqual([second.id, first.id]);
    expect(await list({ tags: ["x", "y"] })).toEqual([first.id]);
    expect(await list({ q: "ALPHA" })).toEqual([first.id]);
    expect(await list({ runId: "5" })).toEqual([first.id]);
    expect(await list({ limit: "1", offset: "1" })).toEqual([first.id]);
    await expect(getFile({ db: db(), projectId: project.id, id: expired.id.toString() })).rejects.toMatchObject({ status: 404 });
    const other = await createTestProject();
    await expect(getFile({ db: db(), projectId: other.project.id, id: first.id.toString() })).rejects.toMatchObject({ status: 404 });

    expect(await purgeExpiredFiles({ db: db(), filesDir })).toBeGreaterThanOrEqual(1);
    expect(await db().file.findUnique({ where: { id: expired.id } })).toBeNull();
    expect(existsSync(path.join(filesDir, expired.storagePath))).toBe(false);
  });

  it("sweeps bytes no File row names once they are old enough, and keeps every recorded file", async () => {
    const { auth } = await createTestProject();
    const dir = makeFilesDir();
    const kept = await store(auth, "kept.csv", { filesDir: dir });
    // What a worker killed between writing the bytes and recording the File leaves behind.
    const orphan = path.join(dir, path.dirname(kept.storagePath), "00000000-0000-4000-8000-000000000000");
    writeFileSync(orphan, "orphaned\n");
    expect(await sweepOrphanFiles({ db: db(), filesDir: dir, olderThan: new Date(Date.now() - 60_000) })).toBe(0);
    expect(existsSync(orphan)).toBe(true);
    expect(await sweepOrphanFiles({ db: db(), filesDir: dir, olderThan: new Date(Date.now() + 1000) })).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(await readFile(path.join(dir, kept.storagePath), "utf8")).toBe("kept.csv\n");
  });

  it("leaves no file under its final name, and no temporary file, when an upload is cut short", async () => {
    const { auth } = await createTestProject();
    const dir = makeFilesDir();
    // 300 KB arrive, then the connection drops.
    const source = new Readable({
      read() {
        if (this.readableLength === 0 && !(this as { sent?: boolean }).sent) {
          (this as { sent?: boolean }).sent = true;
          this.push(Buffer.alloc(300 * 1024, "a"));
          setImmediate(() => this.destroy(new Error("aborted")));
        }
      },
    });
    await expect(store(auth, "cut.csv", { filesDir: dir, source })).rejects.toThrow("aborted");
    const left = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(left.map((e) => path.join(e.parentPath, e.name))).toEqual([]);
    expect(await db().file.count({ where: { projectId: auth.projectId } })).toBe(0);
  });

  it("reports a full disk and an unwritable folder as file write errors, leaving nothing behind", async () => {
    const { auth } = await createTestProject();
    // The temporary file is a link to /dev/full: every write fails with ENOSPC, as on a full disk.
    mkdirSync(path.join(filesDir, ".tmp"), { recursive: true });
    symlinkSync("/dev/full", path.join(filesDir, ".tmp", "to-dev-full.part"));
    const diskFull = await store(auth, "big.csv", { tempName: "to-dev-full.part", source: Readable.from([Buffer.alloc(64 * 1024)]) }).then(() => null, (e: unknown) => e);
    expect(diskFull).toBeInstanceOf(FileWriteError);
    expect(diskFull).toMatchObject({ code: "diskFull", message: "Could not write the file: the disk that holds Jobdeck's files is full." });

    const notADir = path.join(filesDir, "not-a-folder");
    writeFileSync(notADir, "x");
    const blocked = await store(auth, "x.csv", { filesDir: notADir }).then(() => null, (e: unknown) => e);
    expect(blocked).toBeInstanceOf(FileWriteError);
    expect((blocked as FileWriteError).code).toBe("fileWriteFailed");
    expect(await db().file.count({ where: { projectId: auth.projectId, name: { in: ["big.csv", "x.csv"] } } })).toBe(0);
  });
});
