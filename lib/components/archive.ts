// A process component's code arrives as a .zip or .tar.gz. Both are read entry by entry with the
// same checks: sizes are the bytes that really come out of the decompressor (a header may lie: zip
// bombs), paths stay inside the code folder, and only plain files and folders are accepted (no
// symlinks, hard links or devices). Nothing is written until the whole archive has passed.
import { createWriteStream } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { entries as tarEntries } from "tar";
import yauzl from "yauzl";

export type ArchiveType = "zip" | "tar.gz";

export type ArchiveLimits = {
  /** The archive itself. */
  maxArchiveBytes: number;
  /** All files unpacked, counted while they are decompressed. */
  maxUnpackedBytes: number;
  /** Files and folders. */
  maxEntries: number;
};

export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 100 * 1024 * 1024,
  maxUnpackedBytes: 500 * 1024 * 1024,
  maxEntries: 20_000,
};

export type ArchiveSummary = {
  type: ArchiveType;
  /** The files, relative to the code folder (after the common top folder is stripped), sorted. */
  files: string[];
  fileCount: number;
  unpackedBytes: number;
  /** The one top folder everything sat in, stripped; null when there was none. */
  strippedFolder: string | null;
};

/** What is wrong with an archive, for people: it names the entry when one is to blame. */
export class ArchiveError extends Error {
  constructor(
    message: string,
    readonly reason: "tooLarge" | "invalid",
    readonly entry?: string,
  ) {
    super(message);
    this.name = "ArchiveError";
  }
}

/** By content, not by name: zip's "PK\x03\x04" (or an empty zip's end record), gzip's 1f 8b. */
export function detectArchiveType(bytes: Uint8Array): ArchiveType | null {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && bytes[3] === bytes[2] + 1) return "zip";
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "tar.gz";
  return null;
}

type Entry = { path: string; kind: "file" | "directory"; executable: boolean; body: AsyncIterable<Uint8Array> | null };

/** Reads the whole archive, checking every entry and counting the real bytes; writes nothing. */
export async function inspectArchive(options: { bytes: Buffer; type?: ArchiveType; limits?: Partial<ArchiveLimits> }): Promise<ArchiveSummary> {
  const limits = { ...ARCHIVE_LIMITS, ...options.limits };
  const type = archiveTypeOf(options.bytes, options.type, limits);
  const files = new Map<string, number>();
  const folders = new Set<string>();
  let unpackedBytes = 0;
  await walk(options.bytes, type, limits, async (entry) => {
    if (entry.kind === "directory") {
      if (files.has(entry.path)) throw new ArchiveError(`"${entry.path}" is both a file and a folder in the archive.`, "invalid", entry.path);
      folders.add(entry.path);
      return;
    }
    if (files.has(entry.path) || folders.has(entry.path)) throw new ArchiveError(`"${entry.path}" appears twice in the archive.`, "invalid", entry.path);
    for (const parent of ancestors(entry.path)) {
      if (files.has(parent)) throw new ArchiveError(`"${parent}" is both a file and a folder in the archive.`, "invalid", parent);
      folders.add(parent);
    }
    let size = 0;
    for await (const chunk of entry.body!) {
      size += chunk.length;
      unpackedBytes += chunk.length;
      if (unpackedBytes > limits.maxUnpackedBytes) throw unpackedTooLarge(entry.path, limits);
    }
    files.set(entry.path, size);
  });
  const all = [...files.keys()];
  const strippedFolder = commonTopFolder(all, [...folders]);
  const strip = (p: string) => (strippedFolder ? p.slice(strippedFolder.length + 1) : p);
  return { type, files: all.map(strip).sort(), fileCount: all.length, unpackedBytes, strippedFolder };
}

/**
 * Unpacks into `dest` (an empty folder) after inspecting the archive. With `readOnly`, files end
 * as 0444 (0555 when executable in the archive) and folders below `dest` as 0555: anyone may read
 * and run the code, nobody may change it. `dest` itself is left for the caller.
 */
export async function unpackArchive(options: {
  bytes: Buffer;
  dest: string;
  type?: ArchiveType;
  limits?: Partial<ArchiveLimits>;
  readOnly?: boolean;
}): Promise<ArchiveSummary> {
  const summary = await inspectArchive(options);
  const limits = { ...ARCHIVE_LIMITS, ...options.limits };
  const dest = path.resolve(options.dest);
  const prefix = summary.strippedFolder ? `${summary.strippedFolder}/` : "";
  const folders = new Set<string>();
  const files: { target: string; executable: boolean }[] = [];
  let unpackedBytes = 0;
  await mkdir(dest, { recursive: true, mode: 0o755 });
  await walk(options.bytes, summary.type, limits, async (entry) => {
    if (prefix && !entry.path.startsWith(prefix)) return; // the stripped folder itself
    const relative = entry.path.slice(prefix.length);
    const target = path.join(dest, relative);
    // Checked by walk(); once more here because this is where a file is written.
    if (!target.startsWith(dest + path.sep)) throw new ArchiveError(`"${entry.path}" would be written outside the code folder.`, "invalid", entry.path);
    if (entry.kind === "directory") {
      await mkdir(target, { recursive: true, mode: 0o755 });
      folders.add(target);
      return;
    }
    for (const parent of ancestors(relative)) folders.add(path.join(dest, parent));
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    const body = entry.body!;
    const counted = async function* () {
      for await (const chunk of body) {
        unpackedBytes += chunk.length;
        if (unpackedBytes > limits.maxUnpackedBytes) throw unpackedTooLarge(entry.path, limits);
        yield chunk;
      }
    };
    // "wx": an archive can never overwrite what is already there.
    await pipeline(Readable.from(counted()), createWriteStream(target, { flags: "wx", mode: 0o600 }));
    files.push({ target, executable: entry.executable });
  });
  // chmod, not the create mode: the umask must not take away what the sandbox user needs.
  const fileMode = options.readOnly ? 0o444 : 0o644;
  for (const f of files) await chmod(f.target, f.executable ? fileMode | 0o111 : fileMode);
  const folderMode = options.readOnly ? 0o555 : 0o755;
  // Deepest first: a folder made read-only cannot have its children changed afterwards anyway.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) await chmod(folder, folderMode);
  return summary;
}

function archiveTypeOf(bytes: Buffer, declared: ArchiveType | undefined, limits: ArchiveLimits): ArchiveType {
  if (bytes.length > limits.maxArchiveBytes) {
    throw new ArchiveError(`The archive is ${bytes.length} bytes; at most ${limits.maxArchiveBytes} bytes are allowed.`, "tooLarge");
  }
  const type = detectArchiveType(bytes);
  if (!type) throw new ArchiveError("The code is neither a .zip nor a .tar.gz archive.", "invalid");
  if (declared && declared !== type) throw new ArchiveError(`The code was sent as a .${declared} but is a .${type} archive.`, "invalid");
  return type;
}

const unpackedTooLarge = (entry: string, limits: ArchiveLimits) =>
  new ArchiveError(`The archive unpacks to more than ${limits.maxUnpackedBytes} bytes (reached at "${entry}").`, "tooLarge", entry);

function ancestors(p: string): string[] {
  const parts = p.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** The one folder every file sits in, when there is one and nothing else is at the top. */
function commonTopFolder(files: string[], folders: string[]): string | null {
  const tops = new Set([...files, ...folders].map((p) => p.split("/")[0]));
  if (tops.size !== 1) return null;
  const [top] = tops;
  return files.length > 0 && files.every((f) => f.startsWith(`${top}/`)) ? top! : null;
}

/**
 * A name as the code folder will have it: relative, `/`-separated, without `.` parts; refused when
 * absolute or when it climbs out with `..`. Null for the archive's root itself.
 */
function safePath(raw: string): string | null {
  const shown = raw.slice(0, 300);
  if (raw.includes("\u0000")) throw new ArchiveError(`"${shown}" has a NUL character in its name.`, "invalid", shown);
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) {
    throw new ArchiveError(`"${shown}" is an absolute path; entries must be relative to the code folder.`, "invalid", shown);
  }
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new ArchiveError(`"${shown}" points outside the code folder (".." is not allowed).`, "invalid", shown);
  return parts.length === 0 ? null : parts.join("/");
}

/** Files macOS adds to archives: not part of anyone's code. */
const isMacJunk = (p: string) => p === "__MACOSX" || p.startsWith("__MACOSX/") || path.posix.basename(p).startsWith("._");

/** Calls `visit` for each entry in order, after the checks every entry must pass. */
async function walk(bytes: Buffer, type: ArchiveType, limits: ArchiveLimits, visit: (entry: Entry) => Promise<void>): Promise<void> {
  let count = 0;
  const counted = (name: string) => {
    count += 1;
    if (count > limits.maxEntries) throw new ArchiveError(`The archive has more than ${limits.maxEntries} entries (reached at "${name.slice(0, 300)}").`, "tooLarge", name);
  };
  if (type === "zip") await walkZip(bytes, limits, counted, visit);
  else await walkTar(bytes, counted, visit);
}

// Unix file types in the high half of a zip entry's external attributes (when made on Unix).
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

async function walkZip(bytes: Buffer, limits: ArchiveLimits, counted: (name: string) => void, visit: (entry: Entry) => Promise<void>) {
  let zip: yauzl.ZipFile;
  try {
    // validateEntrySizes: yauzl too refuses an entry that inflates to other than its declared size.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (error) {
    throw zipError(error);
  }
  if (zip.entryCount > limits.maxEntries) throw new ArchiveError(`The archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed.`, "tooLarge");
  let declared = 0;
  try {
    for (;;) {
      const entry = await nextZipEntry(zip);
      if (!entry) break;
      const name = entry.fileName;
      counted(name);
      // The declared sizes only let a bomb be refused early; the real bytes are counted as they come.
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) {
        throw new ArchiveError(`The archive unpacks to more than ${limits.maxUnpackedBytes} bytes (reached at "${name.slice(0, 300)}").`, "tooLarge", name);
      }
      const unixType = (entry.externalFileAttributes >>> 16) & S_IFMT;
      const isDirectory = name.endsWith("/") || unixType === S_IFDIR;
      if (unixType !== 0 && unixType !== S_IFREG && unixType !== S_IFDIR) throw notPlain(name, unixType === S_IFLNK ? "a symbolic link" : "a special file");
      const p = safePath(name);
      if (p === null || isMacJunk(p)) continue;
      if (isDirectory) {
        await visit({ path: p, kind: "directory", executable: false, body: null });
        continue;
      }
      if (entry.isEncrypted()) throw new ArchiveError(`"${p}" is encrypted; upload an archive without a password.`, "invalid", p);
      const stream = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
        throw new ArchiveError(`"${p}" cannot be read: ${messageOf(error)}.`, "invalid", p);
      });
      const body = (async function* () {
        try {
          for await (const chunk of stream) yield chunk as Buffer;
        } catch (error) {
          if (error instanceof ArchiveError) throw error;
          throw new ArchiveError(`"${p}" is damaged: ${messageOf(error)}.`, "invalid", p);
        } finally {
          stream.destroy();
        }
      })();
      await visit({ path: p, kind: "file", executable: ((entry.externalFileAttributes >>> 16) & 0o111) !== 0, body });
    }
  } finally {
    zip.close();
  }
}

function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (error: unknown) => (cleanup(), reject(zipError(error)));
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

/** yauzl's own refusals ("invalid relative path: ../x") in our words, naming the entry. */
function zipError(error: unknown): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const message = messageOf(error);
  const named = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/.exec(message);
  if (named) {
    const name = named[2]!.slice(0, 300);
    return named[1] === "absolute path"
      ? new ArchiveError(`"${name}" is an absolute path; entries must be relative to the code folder.`, "invalid", name)
      : new ArchiveError(`"${name}" points outside the code folder or has an invalid name.`, "invalid", name);
  }
  return new ArchiveError(`The .zip archive is damaged: ${message}.`, "invalid");
}

async function walkTar(bytes: Buffer, counted: (name: string) => void, visit: (entry: Entry) => Promise<void>) {
  try {
    for await (const entry of tarEntries(bytes, { strict: true })) {
      const name = entry.path;
      counted(name);
      if (entry.type === "SymbolicLink" || entry.type === "Link") {
        throw notPlain(name, entry.type === "Link" ? `a hard link to "${entry.linkpath ?? ""}"` : `a symbolic link to "${entry.linkpath ?? ""}"`);
      }
      const isFile = entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile";
      if (!isFile && entry.type !== "Directory") throw notPlain(name, `of type ${entry.type}`);
      const p = safePath(name);
      if (p === null || isMacJunk(p)) continue;
      if (!isFile) {
        await visit({ path: p, kind: "directory", executable: false, body: null });
        continue;
      }
      const body = (async function* () {
        // A copy: the reader reuses its input once it moves on, and a file write may still hold it.
        const reader = entry.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value.slice();
        }
      })();
      await visit({ path: p, kind: "file", executable: ((entry.mode ?? 0) & 0o111) !== 0, body });
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`The .tar.gz archive is damaged: ${messageOf(error)}.`, "invalid");
  }
}

const notPlain = (name: string, what: string) =>
  new ArchiveError(`"${name.slice(0, 300)}" is ${what}; the code may hold only plain files and folders.`, "invalid", name.slice(0, 300));

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "").slice(0, 300);
}
