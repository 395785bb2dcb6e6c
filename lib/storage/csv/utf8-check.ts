// Refuses bytes that are not UTF-8 before the CSV parser sees them: Node's decoder would quietly
// turn them into U+FFFD and the table would hold text nobody wrote.
import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import { CSV_PROBLEMS, CsvError } from "@/lib/storage/csv/csv-error";

const NEWLINE = 0x0a;

/** How many bytes a sequence starting with this lead byte has; 0 for a byte that cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Bytes at the end of `buf` that start a multi-byte sequence the buffer does not finish. */
export function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const length = sequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/** Offset of the first byte that breaks UTF-8 in `buf` (which is known to be invalid somewhere). */
export function firstInvalidOffset(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const length = sequenceLength(buf[i]!);
    if (length === 0 || i + length > buf.length || !isUtf8(buf.subarray(i, i + length))) return i;
    i += length;
  }
  return buf.length;
}

function countNewlines(buf: Buffer, end = buf.length): number {
  let count = 0;
  let at = buf.indexOf(NEWLINE);
  while (at !== -1 && at < end) {
    count++;
    at = buf.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/** A pass-through stream that fails with a CsvError naming the line of the first invalid byte. */
export class Utf8Check extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private line = 1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = buf.subarray(0, buf.length - incompleteTail(buf));
    this.carry = Buffer.from(buf.subarray(complete.length));
    if (!isUtf8(complete)) {
      const offset = firstInvalidOffset(complete);
      callback(this.invalidAt(this.line + countNewlines(complete, offset)));
      return;
    }
    this.line += countNewlines(complete);
    callback(null, complete);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.carry.length > 0 ? this.invalidAt(this.line) : null);
  }

  private invalidAt(line: number): CsvError {
    return new CsvError(line, CSV_PROBLEMS.notUtf8);
  }
}
