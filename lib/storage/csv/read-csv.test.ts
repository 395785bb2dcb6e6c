import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvError } from "@/lib/storage/csv/csv-error";
import { type CsvRecord, readCsv } from "@/lib/storage/csv/read-csv";
import { firstInvalidOffset, incompleteTail } from "@/lib/storage/csv/utf8-check";

/** Feeds the bytes in small chunks so that sequences and records straddle chunk borders. */
async function read(input: string | Buffer, chunk = 3): Promise<CsvRecord[]> {
  const bytes = Buffer.from(input);
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk));
  const records: CsvRecord[] = [];
  for await (const record of readCsv(Readable.from(chunks))) records.push(record);
  return records;
}

async function problem(input: string | Buffer): Promise<CsvError> {
  const error = await read(input).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CsvError);
  return error as CsvError;
}

describe("readCsv", () => {
  it("reads quoted values, embedded newlines and commas, CRLF, a BOM and UTF-8 across chunks", async () => {
    const records = await read('\ufeffid,name\r\n1,"Žluťoučký kůň"\r\n2,"a,b"\r\n\r\n3,"two\nlines"\r\n4,"say ""hi"""\r\n', 2);
    expect(records).toEqual([
      { line: 1, values: ["id", "name"] },
      { line: 2, values: ["1", "Žluťoučký kůň"] },
      { line: 3, values: ["2", "a,b"] },
      { line: 6, values: ["3", "two\nlines"] },
      { line: 7, values: ["4", 'say "hi"'] },
    ]);
  });

  it("numbers lines through empty lines and multi-line values, in LF and CRLF files", async () => {
    const lines = (text: string) => read(text, 4).then((records) => records.map((r) => r.line));
    expect(await lines('a,b\n1,"x\ny"\n\n\n2,3\n4,5')).toEqual([1, 3, 6, 7]);
    expect(await lines("a,b\r\n1,2\r\n\r\n3,4\r\n")).toEqual([1, 2, 4]);
    expect((await problem("a,b\r\n1,2\r\n\r\n3,4,5\r\n")).line).toBe(4);
  });

  it.each([
    ["a ragged row", "a,b\n1,2\n3,4,5\n", 3, /expected 2 values \(as in the header\) but found 3/],
    ["a short row", "a,b\n1\n", 2, /expected 2 values .* found 1/],
    ["an unclosed quote", 'a,b\n1,"open\n2,3\n4,5\n', 2, /quoted value opened on this line is never closed/],
    ["an unclosed quote on the last line", 'a,b\n1,2\n3,"x', 3, /never closed/],
    ["text after a closing quote", 'a,b\n1,"x"y\n', 2, /closing quote is followed/],
    ["a quote inside an unquoted value", 'a,b\n1,x"y\n', 2, /quote appears inside an unquoted value/],
    ["invalid UTF-8", Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0xff]), Buffer.from("\n")]), 3, /not valid UTF-8/],
    ["an overlong encoding", Buffer.concat([Buffer.from("a\n"), Buffer.from([0xc0, 0xaf])]), 2, /not valid UTF-8/],
    ["a truncated sequence at the end", Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0xe2, 0x82])]), 3, /not valid UTF-8/],
    ["a NUL character", "a,b\n1,x\u0000\n", 2, /NUL character/],
  ])("names the line of %s", async (_name, input, line, message) => {
    const error = await problem(input);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(message);
    expect(error.message).toBe(`Line ${line}: ${error.problem}`);
  });
});

describe("UTF-8 chunk borders", () => {
  it("keeps back the bytes of a sequence a chunk cuts", () => {
    const euro = Buffer.from("€"); // e2 82 ac
    expect(incompleteTail(Buffer.concat([Buffer.from("ab"), euro.subarray(0, 1)]))).toBe(1);
    expect(incompleteTail(Buffer.concat([Buffer.from("ab"), euro.subarray(0, 2)]))).toBe(2);
    expect(incompleteTail(Buffer.concat([Buffer.from("ab"), euro]))).toBe(0);
    expect(incompleteTail(Buffer.from("😀").subarray(0, 3))).toBe(3);
    expect(incompleteTail(Buffer.from("plain"))).toBe(0);
  });

  it("finds the first invalid byte", () => {
    expect(firstInvalidOffset(Buffer.concat([Buffer.from("ok €"), Buffer.from([0x80])]))).toBe(6);
    expect(firstInvalidOffset(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1); // a UTF-16 surrogate
  });
});
