import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvCopyScanner, copyCanRead } from "@/lib/storage/csv/copy-csv";
import { CsvError, LinePlaces } from "@/lib/storage/csv/csv-error";
import { readCsv } from "@/lib/storage/csv/read-csv";

/** Runs the scanner over the bytes in small chunks; returns what COPY would get, or the error. */
function scan(input: string | Buffer, chunk = 3, options: { delimiter?: string; enclosure?: string; header?: string[] } = {}) {
  const bytes = Buffer.from(input);
  const scanner = new CsvCopyScanner({ delimiter: options.delimiter ?? ",", enclosure: options.enclosure ?? '"', ...(options.header && { header: options.header }) });
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    const out = scanner.write(bytes.subarray(i, i + chunk));
    if (out) parts.push(Buffer.from(out));
  }
  const last = scanner.end();
  if (last) parts.push(Buffer.from(last));
  return { copy: Buffer.concat(parts).toString("utf8"), header: scanner.header, rows: scanner.rows };
}

async function readCsvError(input: string | Buffer): Promise<unknown> {
  const records = async () => {
    for await (const record of readCsv(Readable.from([Buffer.from(input)]))) void record;
  };
  return records().then(() => null, (e: unknown) => e);
}

describe("CsvCopyScanner", () => {
  it("leaves out the header, a BOM and empty lines, ends records in LF and appends each record's line", () => {
    const result = scan('\ufeffid,name\r\n1,"Žluťoučký kůň"\r\n2,"a,b"\r\n\r\n3,"two\nlines"\r\n4,"say ""hi"""\r\n5,', 2);
    expect(result.header).toEqual(["id", "name"]);
    expect(result.rows).toBe(5);
    expect(result.copy).toBe('1,"Žluťoučký kůň",2\n2,"a,b",3\n3,"two\nlines",6\n4,"say ""hi""",7\n5,,8\n');
  });

  it("reads a file without a header, other delimiters and enclosures, and CR-only line ends", () => {
    expect(scan("1;'a;b'\r2;'it''s'\r", 4, { delimiter: ";", enclosure: "'", header: ["x", "y"] }).copy).toBe("1;'a;b';1\n2;'it''s';2\n");
  });

  it.each([
    ["a ragged row", "a,b\n1,2\n3,4,5\n"],
    ["a short row", "a,b\n1\n"],
    ["an unclosed quote", 'a,b\n1,"open\n2,3\n4,5\n'],
    ["an unclosed quote on the last line", 'a,b\n1,2\n3,"x'],
    ["text after a closing quote", 'a,b\n1,"x"y\n'],
    ["a quote inside an unquoted value", 'a,b\n1,x"y\n'],
    ["invalid UTF-8", Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0xff]), Buffer.from("\n")])],
    ["an overlong encoding", Buffer.concat([Buffer.from("a\n"), Buffer.from([0xc0, 0xaf])])],
    ["a truncated sequence at the end", Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0xe2, 0x82])])],
    ["a NUL character", "a,b\n1,x\u0000\n"],
    ["a ragged row after empty CRLF lines", "a,b\r\n1,2\r\n\r\n3,4,5\r\n"],
    ["a ragged row after a multi-line value", 'a,b\n1,"x\ny"\n\n2,3,4\n'],
    ["an empty file", ""],
  ])("refuses %s with readCsv's words and line", async (_name, input) => {
    const expected = await readCsvError(input);
    for (const chunk of [1, 3, 1000]) {
      const error = (() => {
        try {
          scan(input, chunk);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(CsvError);
      if (expected) expect((error as CsvError).message).toBe((expected as CsvError).message);
      else expect((error as CsvError).message).toMatch(/^Line 1: the file is empty/);
    }
  });

  it("refuses a record larger than the limit without holding the file", () => {
    const scanner = new CsvCopyScanner({ delimiter: ",", enclosure: '"' });
    scanner.write(Buffer.from('a\n"'));
    const block = Buffer.alloc(1024 * 1024, 0x78);
    expect(() => {
      for (let i = 0; i < 20; i++) scanner.write(block);
    }).toThrow(/^Line 2: a record is larger than 16 MiB/);
  });

  it("takes Keboola's escapedBy inside enclosed values, as COPY's ESCAPE, and readCsv reads the same values", async () => {
    const csv = 'a,b\n1,"say \\"hi\\" \\\\ \\x"\n2,"two\\"\nlines"\n';
    const scanner = new CsvCopyScanner({ delimiter: ",", enclosure: '"', escapedBy: "\\" });
    expect(scanner.write(Buffer.from(csv))?.toString()).toBe('1,"say \\"hi\\" \\\\ \\x",2\n2,"two\\"\nlines",4\n');
    // readCsv (csv-parse) agrees where the escape precedes a quote or itself; before any other
    // character COPY keeps it (`\\x` stays two characters) where csv-parse drops it.
    const records = [];
    for await (const record of readCsv(Readable.from([Buffer.from('a\n"say \\"hi\\" \\\\"\n')]), { escapedBy: "\\" })) records.push(record.values);
    expect(records.slice(1)).toEqual([['say "hi" \\']]);
    expect(() => new CsvCopyScanner({ delimiter: ",", enclosure: '"', escapedBy: "\\" }).end()).toThrow(/empty/);
    const open = new CsvCopyScanner({ delimiter: ",", enclosure: '"', escapedBy: "\\" });
    open.write(Buffer.from('a\n"x\\'));
    expect(() => open.end()).toThrow(/^Line 2: a quoted value opened on this line is never closed/);
  });

  it("can leave the line out, and then encloses a record that is COPY's end marker", () => {
    const scanner = new CsvCopyScanner({ delimiter: ",", enclosure: '"', lineColumn: false });
    expect(scanner.write(Buffer.from("a\r\nx\r\n\\.\r\n"))?.toString()).toBe('x\n"\\."\n');
  });

  it("ends each slice's records at the slice's end: the next slice starts a new line and may start with a BOM", () => {
    const scanner = new CsvCopyScanner({ delimiter: ",", enclosure: '"', header: ["a", "b"] });
    const out: string[] = [];
    const firstLines: number[] = [];
    for (const slice of ["1,x\r", "\n2,y", "\ufeff3,z\n"]) {
      firstLines.push(scanner.currentLine);
      out.push(scanner.write(Buffer.from(slice))?.toString() ?? "", scanner.endSlice()?.toString() ?? "");
    }
    out.push(scanner.end()?.toString() ?? "");
    expect(out.join("")).toBe("1,x,1\n2,y,3\n3,z,4\n");
    expect(firstLines).toEqual([1, 2, 4]);

    const open = new CsvCopyScanner({ delimiter: ",", enclosure: '"', header: ["a", "b"] });
    open.write(Buffer.from('1,x\n2,"y\n'));
    expect(() => open.endSlice()).toThrow(/^Line 2: a quoted value opened on this line is never closed/);
    const split = new CsvCopyScanner({ delimiter: ",", enclosure: '"', header: ["a"] });
    split.write(Buffer.from([0x31, 0x0a, 0xc5]));
    expect(() => split.endSlice()).toThrow(/^Line 2: the file is not valid UTF-8/);
  });

  it("names a line by its slice once the lines are a sliced file's", () => {
    const places = new LinePlaces();
    expect(places.of(3)).toBe("line 3");
    expect(places.placed(new CsvError(3, "bad"))).toMatchObject({ message: "Line 3: bad" });
    places.beginSlice("part0.csv", 1);
    places.beginSlice("part1.csv", 4);
    expect([places.of(3), places.of(4), places.of(9)]).toEqual(["slice 1 (part0.csv), line 3", "slice 2 (part1.csv), line 1", "slice 2 (part1.csv), line 6"]);
    expect(places.placed(new CsvError(5, "bad"))).toMatchObject({ line: 5, message: "Slice 2 (part1.csv), line 2: bad" });
    const other = new Error("x");
    expect(places.placed(other)).toBe(other);
  });

  it("knows which dialects COPY can read", () => {
    expect(copyCanRead({})).toBe(true);
    expect(copyCanRead({ delimiter: "\t", enclosure: "'" })).toBe(true);
    expect(copyCanRead({ enclosure: "" })).toBe(false);
    expect(copyCanRead({ delimiter: "§" })).toBe(false);
  });
});
