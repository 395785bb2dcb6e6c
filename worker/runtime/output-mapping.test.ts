// Output mapping on folders on disk: where each table goes, how its CSV is read, and every bad
// output refused with the file named (and then nothing planned).
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "@/worker/components/types";
import { type OutputPlan, discardOutputPlan, planOutputMapping, readOutputState } from "./output-mapping";

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A data folder holding `files` (path → content; a Buffer as is), and a staging folder of its own. */
async function dataFolder(files: Record<string, string | Buffer>) {
  const root = await mkdtemp(path.join(os.tmpdir(), "om-test-"));
  made.push(root);
  const dir = path.join(root, "data");
  for (const folder of ["out/tables", "out/files"]) await mkdir(path.join(dir, folder), { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return { dir, stagingDir: path.join(root, "staging") };
}

async function plan(files: Record<string, string | Buffer>, options: { storage?: unknown; defaultBucket?: string | null } = {}) {
  const folder = await dataFolder(files);
  const planned = await planOutputMapping({ ...folder, ...options });
  return { ...folder, plan: planned };
}

async function refusal(files: Record<string, string | Buffer>, options: { storage?: unknown; defaultBucket?: string | null } = {}) {
  const folder = await dataFolder(files);
  const error = await planOutputMapping({ ...folder, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  // Nothing planned, nothing left in the staging folder.
  expect(await readdir(folder.stagingDir).catch(() => [])).toEqual([]);
  return (error as Error).message;
}

const csv = (p: OutputPlan, i = 0) => readFile(p.tables[i]!.csvPath, "utf8");
const destinations = (p: OutputPlan) => p.tables.map((t) => [t.source, t.destination]);

describe("planOutputMapping: destinations", () => {
  it("takes the table id from a file name with two dots", async () => {
    const { plan: p } = await plan({ "out/tables/out.c-main.orders.csv": "id,amount\n1,10\n" });
    expect(destinations(p)).toEqual([["out/tables/out.c-main.orders.csv", "out.c-main.orders"]]);
    expect(p.tables[0]).toMatchObject({ columns: ["id", "amount"], rows: 1, incremental: false, primaryKey: [] });
    expect(await csv(p)).toBe("id,amount\n1,10\n");
  });

  it("puts a plain file name into the default bucket", async () => {
    const { plan: p } = await plan({ "out/tables/orders.csv": "id\n1\n", "out/tables/items": "id\n1\n" }, { defaultBucket: "out.c-acme-ex-1" });
    expect(destinations(p)).toEqual([
      ["out/tables/items", "out.c-acme-ex-1.items"],
      ["out/tables/orders.csv", "out.c-acme-ex-1.orders"],
    ]);
  });

  it("prefers the manifest's destination over the default bucket and the file name", async () => {
    const { plan: p } = await plan(
      { "out/tables/out.c-main.a.csv": "id\n1\n", "out/tables/out.c-main.a.csv.manifest": JSON.stringify({ destination: "out.c-main.from_manifest" }) },
      { defaultBucket: "out.c-def" },
    );
    expect(destinations(p)).toEqual([["out/tables/out.c-main.a.csv", "out.c-main.from_manifest"]]);
  });

  it("lets the configuration's mapping win over the manifest, with its incremental and primary key", async () => {
    const { plan: p } = await plan(
      {
        "out/tables/data.csv": "id,v\n1,a\n",
        "out/tables/data.csv.manifest": JSON.stringify({ destination: "out.c-main.manifest", incremental: false, primary_key: ["v"] }),
      },
      { storage: { output: { tables: [{ source: "data.csv", destination: "out.c-main.mapped", incremental: true, primary_key: ["id"] }] } }, defaultBucket: "out.c-def" },
    );
    expect(p.tables[0]).toMatchObject({ destination: "out.c-main.mapped", incremental: true, primaryKey: ["id"] });
  });

  it("takes incremental and primary key from the manifest when the mapping does not say", async () => {
    const { plan: p } = await plan({
      "out/tables/out.c-main.t.csv": "id,v\n1,a\n",
      "out/tables/out.c-main.t.csv.manifest": JSON.stringify({ incremental: true, primary_key: ["id"] }),
    });
    expect(p.tables[0]).toMatchObject({ incremental: true, primaryKey: ["id"] });
  });

  it("finds a mapping's file by the destination's name when the mapping gives no source", async () => {
    const { plan: p } = await plan({ "out/tables/out.c-main.t.csv": "id\n1\n" }, { storage: { output: { tables: [{ destination: "out.c-main.t" }] } } });
    expect(destinations(p)).toEqual([["out/tables/out.c-main.t.csv", "out.c-main.t"]]);
  });

  it("plans out/files with the manifest's tags and the mapping's", async () => {
    const { plan: p, dir } = await plan(
      { "out/files/report.txt": "hello", "out/files/report.txt.manifest": JSON.stringify({ tags: ["a", "b"] }), "out/files/plain.json": "{}" },
      { storage: { output: { files: [{ source: "report.txt", tags: ["b", "c"], is_permanent: true }] } } },
    );
    expect(p.files).toEqual([
      { source: "out/files/plain.json", path: path.join(dir, "out/files/plain.json"), name: "plain.json", tags: [], permanent: false },
      { source: "out/files/report.txt", path: path.join(dir, "out/files/report.txt"), name: "report.txt", tags: ["a", "b", "c"], permanent: true },
    ]);
  });

  it("plans nothing for an empty out/ (or none at all)", async () => {
    const { plan: p } = await plan({});
    expect(p).toMatchObject({ tables: [], files: [] });
    await discardOutputPlan(p);
  });
});

describe("planOutputMapping: reading the CSV", () => {
  it("concatenates a sliced table's slices under the manifest's columns (gzip slices too)", async () => {
    const { plan: p } = await plan({
      "out/tables/big.csv/part01": "1,a\n2,b\n",
      "out/tables/big.csv/part02.gz": gzipSync("3,c\n"),
      "out/tables/big.csv.manifest": JSON.stringify({ destination: "out.c-main.big", columns: ["id", "v"] }),
    });
    expect(p.tables[0]).toMatchObject({ destination: "out.c-main.big", columns: ["id", "v"], rows: 3 });
    expect(await csv(p)).toBe("id,v\n1,a\n2,b\n3,c\n");
  });

  it("takes a sliced table's columns from the mapping", async () => {
    const { plan: p } = await plan(
      { "out/tables/big/1": "1\n", "out/tables/big/2": "2\n" },
      { storage: { output: { tables: [{ source: "big", destination: "out.c-main.big", columns: ["id"] }] } } },
    );
    expect(await csv(p)).toBe("id\n1\n2\n");
  });

  it("honours the manifest's delimiter and enclosure, and writes a standard CSV", async () => {
    const { plan: p } = await plan({
      "out/tables/out.c-main.t.csv": "id\tnote\n1\t'it''s, here'\n2\t'two\nlines'\n",
      "out/tables/out.c-main.t.csv.manifest": JSON.stringify({ delimiter: "\t", enclosure: "'" }),
    });
    expect(await csv(p)).toBe('id,note\n1,"it\'s, here"\n2,"two\nlines"\n');
  });

  it("reads a headless CSV under the manifest's columns", async () => {
    const { plan: p } = await plan({
      "out/tables/out.c-main.t.csv": '1,"a ""quoted"" value"\n2,b\n',
      "out/tables/out.c-main.t.csv.manifest": JSON.stringify({ columns: ["id", "text"] }),
    });
    expect(p.tables[0]).toMatchObject({ columns: ["id", "text"], rows: 2 });
    expect(await csv(p)).toBe('id,text\n1,"a ""quoted"" value"\n2,b\n');
  });

  it("skips a header row that the manifest says is there and matches the columns", async () => {
    const { plan: p } = await plan({
      "out/tables/out.c-main.t.csv": "id,v\n1,a\n",
      "out/tables/out.c-main.t.csv.manifest": JSON.stringify({ columns: ["id", "v"], has_header: true }),
    });
    expect(await csv(p)).toBe("id,v\n1,a\n");
  });

  it("strips a byte-order mark and takes an enclosure-less file", async () => {
    const { plan: p } = await plan({
      "out/tables/out.c-main.t.csv": '\ufeffid;v\n1;say "hi"\n',
      "out/tables/out.c-main.t.csv.manifest": JSON.stringify({ delimiter: ";", enclosure: "" }),
    });
    expect(await csv(p)).toBe('id,v\n1,"say ""hi"""\n');
  });
});

describe("planOutputMapping: bad output names the file and plans nothing", () => {
  const good = { "out/tables/out.c-main.good.csv": "id\n1\n" };

  it("a malformed manifest", async () => {
    expect(await refusal({ ...good, "out/tables/out.c-main.t.csv": "id\n1\n", "out/tables/out.c-main.t.csv.manifest": "{nope" })).toMatch(
      /^out\/tables\/out\.c-main\.t\.csv\.manifest is not valid JSON/,
    );
    expect(await refusal({ "out/files/a.txt": "x", "out/files/a.txt.manifest": "[1]" })).toMatch(/^out\/files\/a\.txt\.manifest must hold a JSON object/);
  });

  it("an unknown manifest key, or one of the wrong type", async () => {
    expect(await refusal({ ...good, "out/tables/out.c-main.t.csv": "id\n1\n", "out/tables/out.c-main.t.csv.manifest": '{"destinaton": "out.c-main.x"}' })).toBe(
      'out/tables/out.c-main.t.csv.manifest: unknown key "destinaton".',
    );
    expect(await refusal({ "out/tables/out.c-main.t.csv": "id\n1\n", "out/tables/out.c-main.t.csv.manifest": '{"incremental": "yes"}' })).toBe(
      'out/tables/out.c-main.t.csv.manifest: "incremental" must be true or false.',
    );
    expect(await refusal({ "out/files/a.txt": "x", "out/files/a.txt.manifest": '{"tags": "one"}' })).toBe('out/files/a.txt.manifest: "tags" must be a list of tags.');
  });

  it("a manifest without its data file", async () => {
    expect(await refusal({ ...good, "out/tables/gone.csv.manifest": "{}" })).toMatch(/out\/tables\/gone\.csv\.manifest is a manifest without its data file/);
  });

  it("a mapping whose source file is missing", async () => {
    const storage = { output: { tables: [{ source: "missing.csv", destination: "out.c-main.m" }] } };
    expect(await refusal(good, { storage })).toMatch(/storage\.output\.tables\[0\].*out\/tables\/missing\.csv was not found/);
    expect(await refusal({}, { storage: { output: { files: [{ source: "nope.txt", tags: [] }] } } })).toMatch(/out\/files\/nope\.txt was not found/);
  });

  it("a mapping source that would leave the data folder", async () => {
    expect(await refusal(good, { storage: { output: { tables: [{ source: "../../etc/passwd", destination: "out.c-main.m" }] } } })).toMatch(/not a plain file name/);
  });

  it("a table with no destination, or a bad one", async () => {
    expect(await refusal({ ...good, "out/tables/orders.csv": "id\n1\n" })).toMatch(/^out\/tables\/orders\.csv has no destination/);
    expect(await refusal({ "out/tables/orders.csv": "id\n1\n", "out/tables/orders.csv.manifest": '{"destination": "orders"}' })).toMatch(
      /^out\/tables\/orders\.csv: destination "orders" is not a table id/,
    );
    expect(await refusal({ "out/tables/a.b.csv": "id\n1\n" }, { defaultBucket: "out.c-def" })).toMatch(/^out\/tables\/a\.b\.csv: "a\.b" cannot be a table name/);
  });

  it("two files going to the same table", async () => {
    expect(await refusal({ "out/tables/a.csv": "id\n1\n", "out/tables/a.csv.manifest": '{"destination": "out.c-main.good"}', ...good })).toMatch(
      /both go to table out\.c-main\.good/,
    );
  });

  it("rows that do not match the header or the manifest's columns", async () => {
    expect(await refusal({ ...good, "out/tables/out.c-main.t.csv": "id,v\n1,a\n2,b,c\n" })).toBe(
      "out/tables/out.c-main.t.csv line 3: expected 2 values (as in the header) but found 3.",
    );
    expect(await refusal({ "out/tables/out.c-main.t.csv": "1,a\n", "out/tables/out.c-main.t.csv.manifest": '{"columns": ["id"]}' })).toBe(
      "out/tables/out.c-main.t.csv line 1: expected 1 values (the listed columns) but found 2.",
    );
    expect(await refusal({ "out/tables/out.c-main.t.csv": "id,x\n1,a\n", "out/tables/out.c-main.t.csv.manifest": '{"columns": ["id","v"], "has_header": true}' })).toMatch(
      /^out\/tables\/out\.c-main\.t\.csv: the header row \(id, x\) does not match/,
    );
    expect(await refusal({ "out/tables/t.csv/1": "1\n", "out/tables/t.csv/2": "2,3\n", "out/tables/t.csv.manifest": '{"destination": "out.c-main.t", "columns": ["id"]}' })).toBe(
      "out/tables/t.csv/2 line 1: expected 1 values (the listed columns) but found 2.",
    );
  });

  it("bad CSV: an unclosed quote, invalid UTF-8, an empty file, bad column names, a key that is no column", async () => {
    expect(await refusal({ "out/tables/out.c-main.t.csv": 'id\n"open\n' })).toMatch(/^out\/tables\/out\.c-main\.t\.csv line \d+: /);
    expect(await refusal({ "out/tables/out.c-main.t.csv": Buffer.from([0x69, 0x64, 0x0a, 0xff, 0x0a]) })).toMatch(/^out\/tables\/out\.c-main\.t\.csv line 2: /);
    expect(await refusal({ "out/tables/out.c-main.t.csv": "" })).toMatch(/^out\/tables\/out\.c-main\.t\.csv is empty/);
    expect(await refusal({ "out/tables/out.c-main.t.csv": "id,bad name\n1,2\n" })).toMatch(/^out\/tables\/out\.c-main\.t\.csv: /);
    expect(await refusal({ "out/tables/out.c-main.t.csv": "id\n1\n", "out/tables/out.c-main.t.csv.manifest": '{"primary_key": ["nope"]}' })).toMatch(
      /^out\/tables\/out\.c-main\.t\.csv: primary key/,
    );
  });

  it("a sliced folder without columns", async () => {
    expect(await refusal({ ...good, "out/tables/t.csv/part1": "1\n", "out/tables/t.csv.manifest": '{"destination": "out.c-main.t"}' })).toMatch(
      /^out\/tables\/t\.csv is a sliced table \(a folder\): its columns must be listed/,
    );
  });

  it("a symbolic link anywhere under out/, never followed", async () => {
    const folder = await dataFolder(good);
    const secret = path.join(path.dirname(folder.dir), "secret.csv");
    await writeFile(secret, "id\n42\n");
    await symlink(secret, path.join(folder.dir, "out/tables/out.c-main.leak.csv"));
    await expect(planOutputMapping(folder)).rejects.toThrow("out/tables/out.c-main.leak.csv is a symbolic link");
    const other = await dataFolder({});
    await mkdir(path.join(other.dir, "out/files/sub"), { recursive: true });
    await symlink("/etc/passwd", path.join(other.dir, "out/files/sub/passwd"));
    await expect(planOutputMapping(other)).rejects.toThrow("out/files/sub/passwd is a symbolic link");
    const linkedFolder = await dataFolder({});
    await rm(path.join(linkedFolder.dir, "out/tables"), { recursive: true });
    await symlink(path.dirname(folder.dir), path.join(linkedFolder.dir, "out/tables"));
    await expect(planOutputMapping(linkedFolder)).rejects.toThrow("out/tables is a symbolic link");
  });

  it("a folder in out/files and a bad file name or tag", async () => {
    expect(await refusal({ "out/files/dir/a.txt": "x" })).toMatch(/^out\/files\/dir is a folder/);
    expect(await refusal({ "out/files/a.txt": "x", "out/files/a.txt.manifest": '{"tags": ["bad tag"]}' })).toMatch(/^out\/files\/a\.txt\.manifest: tag "bad tag"/);
  });

  it("unsupported Keboola options, refused rather than ignored", async () => {
    expect(await refusal({ "out/tables/out.c-main.t.csv": "id\n1\n", "out/tables/out.c-main.t.csv.manifest": '{"delete_where_column": "id"}' })).toBe(
      'out/tables/out.c-main.t.csv.manifest: "delete_where_column" is not supported.',
    );
  });
});

describe("readOutputState", () => {
  it("is {} when absent or empty, the object otherwise, and refuses anything else", async () => {
    expect(await readOutputState((await dataFolder({})).dir)).toEqual({});
    expect(await readOutputState((await dataFolder({ "out/state.json": "  " })).dir)).toEqual({});
    expect(await readOutputState((await dataFolder({ "out/state.json": '{"last": 3}' })).dir)).toEqual({ last: 3 });
    await expect(readOutputState((await dataFolder({ "out/state.json": "{bad" })).dir)).rejects.toThrow(/^out\/state\.json is not valid JSON/);
    await expect(readOutputState((await dataFolder({ "out/state.json": "[1]" })).dir)).rejects.toThrow("out/state.json must hold a JSON object.");
    const linked = await dataFolder({});
    await symlink("/etc/hostname", path.join(linked.dir, "out/state.json"));
    await expect(readOutputState(linked.dir)).rejects.toThrow(/out\/state\.json must be a regular file/);
  });
});
