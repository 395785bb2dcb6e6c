import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { create as createTar, WriteEntry } from "tar";
import { afterEach, describe, expect, it } from "vitest";
import yazl from "yazl";
import { ArchiveError, inspectArchive, unpackArchive } from "./archive";

type ZipItem = { name: string; content?: string | Buffer | Readable; mode?: number; dir?: boolean };

async function zipOf(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.dir) zip.addEmptyDirectory(item.name, { mode: item.mode });
    else if (item.content instanceof Readable) zip.addReadStream(item.content, item.name, { mode: item.mode });
    else zip.addBuffer(Buffer.from(item.content ?? ""), item.name, { mode: item.mode });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function tarGzOf(entries: WriteEntry[]): Promise<Buffer> {
  // preservePaths: keep hostile names as they are (tar strips a leading / otherwise).
  return Buffer.from(await new Response(createTar({ gzip: true, preservePaths: true }, entries)).arrayBuffer());
}

/** yazl refuses unsafe names, as it should; a hostile archive is made by renaming in the bytes. */
function renamed(bytes: Buffer, from: string, to: string): Buffer {
  expect(from.length).toBe(to.length);
  return Buffer.from(bytes.toString("latin1").replaceAll(from, to), "latin1");
}

async function refusal(promise: Promise<unknown>): Promise<ArchiveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "jobdeck-archive-test-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("inspecting and unpacking component code", () => {
  it("reads a zip, strips the one top folder and unpacks files world-readable, folders traversable, nothing writable", async () => {
    const bytes = await zipOf([
      { name: "weather/main.py", content: "print('hi')\n" },
      { name: "weather/lib/", dir: true },
      { name: "weather/lib/util.py", content: "X = 1\n" },
      { name: "weather/run.sh", content: "#!/bin/sh\n", mode: 0o100755 },
      { name: "__MACOSX/weather/._main.py", content: "junk" },
    ]);
    const summary = await inspectArchive({ bytes });
    expect(summary).toEqual({ type: "zip", files: ["lib/util.py", "main.py", "run.sh"], fileCount: 3, unpackedBytes: 12 + 6 + 10, strippedFolder: "weather" });

    const dest = path.join(await tempDir(), "code");
    await unpackArchive({ bytes, dest, readOnly: true });
    expect((await readdir(dest)).sort()).toEqual(["lib", "main.py", "run.sh"]);
    expect(await readFile(path.join(dest, "lib/util.py"), "utf8")).toBe("X = 1\n");
    expect((await stat(path.join(dest, "main.py"))).mode & 0o777).toBe(0o444);
    expect((await stat(path.join(dest, "run.sh"))).mode & 0o777).toBe(0o555);
    expect((await stat(path.join(dest, "lib"))).mode & 0o777).toBe(0o555);
  });

  it("reads a tar.gz and keeps a tree with several top entries as it is", async () => {
    const bytes = await tarGzOf([
      new WriteEntry({ path: "./", type: "Directory", mode: 0o755 }),
      new WriteEntry({ path: "./main.py", mode: 0o644 }, "print(1)\n"),
      new WriteEntry({ path: "./src/", type: "Directory", mode: 0o755 }),
      new WriteEntry({ path: "./src/a.py", mode: 0o755 }, "a"),
    ]);
    expect(await inspectArchive({ bytes })).toMatchObject({ type: "tar.gz", files: ["main.py", "src/a.py"], fileCount: 2, unpackedBytes: 10, strippedFolder: null });
    const dest = await tempDir();
    await unpackArchive({ bytes, dest });
    expect(await readFile(path.join(dest, "src/a.py"), "utf8")).toBe("a");
    expect((await stat(path.join(dest, "src/a.py"))).mode & 0o777).toBe(0o755);
  });

  it("refuses zip slip (../) and absolute paths, naming the entry, and writes nothing", async () => {
    const slip = renamed(await zipOf([{ name: "ok.py", content: "1" }, { name: "aa/evil.sh", content: "rm -rf" }]), "aa/evil.sh", "../evil.sh");
    const error = await refusal(inspectArchive({ bytes: slip }));
    expect(error.message).toMatch(/"\.\.\/evil\.sh".*outside the code folder/);

    const absolute = renamed(await zipOf([{ name: "xetc/passwd", content: "x" }]), "xetc/passwd", "/etc/passwd");
    expect((await refusal(inspectArchive({ bytes: absolute }))).message).toMatch(/"\/etc\/passwd" is an absolute path/);

    const tarSlip = await tarGzOf([new WriteEntry({ path: "a/../../x.py" }, "x")]);
    expect((await refusal(inspectArchive({ bytes: tarSlip }))).message).toMatch(/"a\/\.\.\/\.\.\/x\.py".*outside/);
    const tarAbsolute = await tarGzOf([new WriteEntry({ path: "/tmp/x.py" }, "x")]);
    expect((await refusal(inspectArchive({ bytes: tarAbsolute }))).message).toMatch(/absolute path/);

    const dest = await tempDir();
    await refusal(unpackArchive({ bytes: slip, dest: path.join(dest, "code") }));
    expect(await readdir(dest)).toEqual([]);
  });

  it("refuses symlinks, hard links and devices in either format", async () => {
    const zipLink = await zipOf([{ name: "main.py", content: "1" }, { name: "escape", content: "/etc", mode: 0o120777 }]);
    expect((await refusal(inspectArchive({ bytes: zipLink }))).message).toMatch(/"escape" is a symbolic link/);
    const tarLink = await tarGzOf([new WriteEntry({ path: "inside", type: "SymbolicLink", linkpath: "../../etc/passwd" })]);
    expect((await refusal(inspectArchive({ bytes: tarLink }))).message).toMatch(/"inside" is a symbolic link to "..\/..\/etc\/passwd"/);
    const hardLink = await tarGzOf([new WriteEntry({ path: "h", type: "Link", linkpath: "/etc/shadow" })]);
    expect((await refusal(inspectArchive({ bytes: hardLink }))).message).toMatch(/"h" is a hard link/);
    const device = await tarGzOf([new WriteEntry({ path: "tty", type: "CharacterDevice" })]);
    expect((await refusal(inspectArchive({ bytes: device }))).message).toMatch(/"tty" is of type CharacterDevice/);
  });

  it("refuses a zip bomb (1 GiB of zeros deflated to about a megabyte) without writing it out", async () => {
    const gib = 1024 ** 3;
    const zeros = Readable.from((function* () {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < gib / chunk.length; i++) yield chunk;
    })());
    const bomb = await zipOf([{ name: "main.py", content: "1" }, { name: "zeros.bin", content: zeros }]);
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024);
    const error = await refusal(inspectArchive({ bytes: bomb }));
    expect(error.reason).toBe("tooLarge");
    expect(error.message).toMatch(/more than 524288000 bytes.*"zeros\.bin"/);

    // A header that lies about the size: the bytes that really come out are counted.
    const small = await zipOf([{ name: "a.bin", content: Buffer.alloc(4096) }]);
    const lying = await refusal(inspectArchive({ bytes: small, limits: { maxUnpackedBytes: 4095 } }));
    expect(lying.message).toMatch(/"a\.bin"/);

    const dest = await tempDir();
    await refusal(unpackArchive({ bytes: bomb, dest: path.join(dest, "code") }));
    expect(await readdir(dest)).toEqual([]);
  }, 60_000);

  it("refuses too many entries, a damaged archive and something that is no archive", async () => {
    const many = await tarGzOf(Array.from({ length: 11 }, (_, i) => new WriteEntry({ path: `f${i}.txt` }, "x")));
    expect((await refusal(inspectArchive({ bytes: many, limits: { maxEntries: 10 } }))).message).toMatch(/more than 10 entries.*"f10\.txt"/);
    const zip = await zipOf([{ name: "main.py", content: "print('hello world')\n".repeat(100) }]);
    const damaged = Buffer.concat([zip.subarray(0, 60), Buffer.alloc(40, 0xff), zip.subarray(100)]);
    expect((await refusal(inspectArchive({ bytes: damaged }))).reason).toBe("invalid");
    const truncated = (await tarGzOf([new WriteEntry({ path: "main.py" }, "x".repeat(10_000))])).subarray(0, 30);
    expect((await refusal(inspectArchive({ bytes: truncated }))).message).toMatch(/tar\.gz archive is damaged/);
    expect((await refusal(inspectArchive({ bytes: Buffer.from("print('hi')") }))).message).toMatch(/neither a \.zip nor a \.tar\.gz/);
    expect((await refusal(inspectArchive({ bytes: zip, limits: { maxArchiveBytes: 10 } }))).reason).toBe("tooLarge");
  });
});
