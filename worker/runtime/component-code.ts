import "server-only";
// A process component's code on this worker: the version a job names (or the newest), unpacked
// once per archive digest under `${env.runDir}/code/<sha256>` and shared by every job that runs it.
import { randomUUID } from "node:crypto";
import { chmod, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { unpackArchive, type ArchiveType } from "@/lib/components/archive";
import { findVisibleComponent } from "@/lib/components/find-visible-component";
import type { DbClient } from "@/lib/db";
import { env } from "@/lib/env";
import type { Component } from "@/lib/generated/prisma/client";
import { UserError } from "@/worker/components/types";

export type ResolvedComponentVersion = {
  component: Component;
  version: { id: number; tag: string; command: string[]; sha256: string; createdAt: Date };
  /** The unpacked code: read-only for everyone, the program's working directory. */
  codeDir: string;
};

/** Unpacks of the same digest in this process wait for one another instead of racing. */
const unpacking = new Map<string, Promise<string>>();

/**
 * The version named by `tag`, or the newest, with its code unpacked. A UserError when the component
 * is not one of the project's process components, has no version, or has none with that tag.
 */
export async function resolveComponentVersion(options: {
  db: DbClient;
  projectId: number;
  componentId: string;
  tag?: string | null;
  runDir?: string;
}): Promise<ResolvedComponentVersion> {
  const { db, componentId } = options;
  const component = await findVisibleComponent({ db, projectId: options.projectId, componentId });
  if (!component) throw new UserError(`Component "${componentId}" does not exist in this project.`);
  if (component.kind !== "process") throw new UserError(`Component "${componentId}" is built in; it has no uploaded code.`);
  const tag = options.tag?.trim() || null;
  const version = await db.componentVersion.findFirst({
    where: { componentId, ...(tag !== null && { tag }) },
    orderBy: { id: "desc" },
    select: { id: true, tag: true, command: true, sha256: true, createdAt: true, archiveType: true },
  });
  if (!version) {
    if (tag === null) throw new UserError(`Component "${componentId}" has no version yet; upload its code first.`);
    const known = await db.componentVersion.findMany({ where: { componentId }, select: { tag: true }, orderBy: { id: "desc" }, take: 10 });
    throw new UserError(
      `Component "${componentId}" has no version tagged "${tag}"${known.length ? ` (its versions: ${known.map((v) => v.tag).join(", ")})` : "; upload its code first"}.`,
    );
  }
  const runDir = path.resolve(options.runDir ?? env.runDir);
  const codeDir = await unpackedCode({ db, runDir, versionId: version.id, sha256: version.sha256, archiveType: version.archiveType as ArchiveType });
  return { component, version: { id: version.id, tag: version.tag, command: version.command, sha256: version.sha256, createdAt: version.createdAt }, codeDir };
}

async function unpackedCode(options: { db: DbClient; runDir: string; versionId: number; sha256: string; archiveType: ArchiveType }): Promise<string> {
  const codeDir = path.join(options.runDir, "code", options.sha256);
  const pending = unpacking.get(codeDir);
  if (pending) return pending;
  const work = unpackOnce(codeDir, options).finally(() => unpacking.delete(codeDir));
  unpacking.set(codeDir, work);
  return work;
}

/**
 * Unpacks to a temporary name beside the final one and renames it into place: a folder under the
 * digest's name is always complete, whichever of several processes (or machines sharing the
 * folder) got there first.
 */
async function unpackOnce(codeDir: string, options: { db: DbClient; runDir: string; versionId: number; sha256: string; archiveType: ArchiveType }): Promise<string> {
  if (await isDirectory(codeDir)) return codeDir;
  await prepareRunDir(options.runDir);
  const codeRoot = path.dirname(codeDir);
  const row = await options.db.componentVersion.findUniqueOrThrow({ where: { id: options.versionId }, select: { archive: true } });
  const temp = path.join(codeRoot, `.${options.sha256}.${process.pid}.${randomUUID()}`);
  await mkdir(temp, { mode: 0o755 });
  try {
    await unpackArchive({ bytes: Buffer.from(row.archive), dest: temp, type: options.archiveType, readOnly: true });
    await chmod(temp, 0o555);
    try {
      await rename(temp, codeDir);
    } catch (error) {
      // Another process renamed its copy first: the same bytes, so use that one.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === "ENOTEMPTY" || code === "EEXIST") && (await isDirectory(codeDir))) {
        await removeTree(temp);
        return codeDir;
      }
      throw error;
    }
    return codeDir;
  } catch (error) {
    await removeTree(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * The run folder is traversable by the sandbox user (nobody) but lists nothing to it: 0711 for
 * the folder itself, 0755 for code/ (the unpacked trees are read-only).
 */
async function prepareRunDir(runDir: string): Promise<void> {
  await mkdir(runDir, { recursive: true, mode: 0o711 });
  const mode = (await stat(runDir)).mode & 0o777;
  if ((mode & 0o011) !== 0o011 || (mode & 0o022) !== 0) await chmod(runDir, 0o711);
  const codeRoot = path.join(runDir, "code");
  await mkdir(codeRoot, { recursive: true, mode: 0o755 });
  await chmod(codeRoot, 0o755);
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** rm -rf of a tree whose folders were made read-only: give them back their write bit first. */
export async function removeTree(dir: string): Promise<void> {
  const walk = async (d: string) => {
    await chmod(d, 0o755).catch(() => undefined);
    const children = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const child of children) if (child.isDirectory()) await walk(path.join(d, child.name));
  };
  await walk(dir);
  await rm(dir, { recursive: true, force: true });
}
