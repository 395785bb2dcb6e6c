// Checks a CSV file on its way into PostgreSQL's COPY, in one pass over the bytes and without
// turning values into JavaScript strings: that is what made imports slow (csv-parse spent 7 s on
// a 92 MB file). It holds readCsv's rules exactly (same errors, same lines), because COPY's own CSV
// reader is more lenient (it accepts `"a"b` and `a"b"c`, counts records rather than lines, and
// fails on empty lines), and it rewrites each record for COPY:
//   - the header record and a UTF-8 BOM are left out, so are empty lines;
//   - every record ends in "\n" (a CRLF or CR file becomes LF outside quoted values);
//   - the line the record ends on is appended as one more value (unless `lineColumn: false`), so
//     that the staging table keeps the `_line` that duplicate-key errors name; without it, a record
//     that is only `\.` (COPY's end-of-data marker) is enclosed so that it stays a value.
// Values themselves pass through byte for byte: a record that readCsv accepts means the same to
// COPY's CSV reader with the same delimiter and quote (escape = quote: a doubled quote is one quote).
import { isUtf8 } from "node:buffer";
import { CSV_PROBLEMS, CsvError, MAX_RECORD_BYTES } from "@/lib/storage/csv/csv-error";
import { firstInvalidOffset, incompleteTail } from "@/lib/storage/csv/utf8-check";

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// What one record adds to its bytes: the delimiter, up to 16 digits of line number, "\n".
const SUFFIX_BYTES = 18;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;
// Inside a quoted value, right after Keboola's escapedBy (COPY's ESCAPE).
const ESCAPED = 4;

/** True when COPY can read this dialect: a one-byte delimiter and a one-byte enclosure (COPY always has a quote). */
export function copyCanRead(dialect: { delimiter?: string; enclosure?: string; escapedBy?: string }): boolean {
  const delimiter = dialect.delimiter ?? ",";
  const enclosure = dialect.enclosure ?? '"';
  const escape = dialect.escapedBy ?? "";
  const oneByte = (c: string) => c.length === 1 && c.charCodeAt(0) > 0 && c.charCodeAt(0) < 0x80 && !"\r\n".includes(c);
  return oneByte(delimiter) && oneByte(enclosure) && delimiter !== enclosure && (escape === "" || (oneByte(escape) && escape !== delimiter));
}

/** Splits one record that the scanner has already checked into its values. */
function splitRecord(text: string, delimiter: string, quote: string, escape: string): string[] {
  const values: string[] = [];
  let value = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (escape !== "" && c === escape && (text[i + 1] === quote || text[i + 1] === escape)) {
        value += text[i + 1];
        i++;
      } else if (c !== quote) value += c;
      else if (text[i + 1] === quote) {
        value += quote;
        i++;
      } else quoted = false;
    } else if (c === quote) quoted = true;
    else if (c === delimiter) {
      values.push(value);
      value = "";
    } else if (c !== "\r" && c !== "\n") value += c;
  }
  values.push(value);
  return values;
}

export class CsvCopyScanner {
  /** Data records written out so far. */
  rows = 0;
  header: string[] | null;
  private readonly d: number;
  private readonly q: number;
  private readonly e: number;
  private width: number;
  private state = FIELD_START;
  private fields = 0;
  // The line being read, and the one the current record starts on.
  private line = 1;
  private recordLine = 1;
  // The current record's bytes from earlier chunks (it is unfinished at a chunk's end).
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private utf8Carry: Buffer = Buffer.alloc(0);
  private skipLf = false;
  private started = false;

  constructor(
    private readonly options: {
      delimiter: string;
      enclosure: string;
      // Keboola's escapedBy: inside a quoted value, it makes the quote (or itself) that follows a
      // character of the value, as COPY's ESCAPE does; before anything else it is itself a character.
      escapedBy?: string;
      // withoutHeaders: the file's first record is data, and these are its columns.
      header?: readonly string[];
      // Called with the header (values trimmed) once it is read; throws to refuse it.
      onHeader?: (header: string[], line: number) => void;
      // false: records go out as they are, without their line as a last value.
      lineColumn?: boolean;
    },
  ) {
    this.d = options.delimiter.charCodeAt(0);
    this.q = options.enclosure.charCodeAt(0);
    this.e = options.escapedBy && options.escapedBy !== options.enclosure ? options.escapedBy.charCodeAt(0) : -1;
    this.header = options.header ? [...options.header] : null;
    this.width = this.header?.length ?? 0;
  }

  /** COPY's input for the records this chunk completes (null when it completes none). */
  write(chunk: Buffer): Buffer | null {
    let buf = this.utf8Carry.length > 0 ? Buffer.concat([this.utf8Carry, chunk]) : chunk;
    const complete = buf.length - incompleteTail(buf);
    this.utf8Carry = Buffer.from(buf.subarray(complete));
    buf = buf.subarray(0, complete);
    let start = 0;
    if (!this.started && buf.length > 0) {
      this.started = true;
      if (buf.subarray(0, 3).equals(BOM)) start = 3;
    }
    // Records before an invalid byte still count (an earlier problem is the one to report).
    const limit = isUtf8(buf) ? buf.length : firstInvalidOffset(buf);
    const out = this.scan(buf, start, limit);
    if (limit < buf.length) throw new CsvError(this.line, CSV_PROBLEMS.notUtf8);
    return out;
  }

  /** The line being read: where the next record starts, between chunks or slices. */
  get currentLine(): number {
    return this.line;
  }

  /**
   * The end of one slice of a sliced file, whose next slice starts a new record on a new line (and
   * may start with its own BOM), or of the whole input (end): the last record (it need not end in a
   * line break), after the checks that an unfinished input fails.
   */
  endSlice(): Buffer | null {
    if (this.utf8Carry.length > 0) throw new CsvError(this.line, CSV_PROBLEMS.notUtf8);
    if (this.state === QUOTED || this.state === ESCAPED) throw new CsvError(this.recordLine, CSV_PROBLEMS.unclosedQuote);
    const unfinished = this.carryBytes > 0 || this.fields > 0 || this.state !== FIELD_START;
    const empty = Buffer.alloc(0);
    const out = this.output(empty, 0, 1);
    const at = { pos: 0 };
    if (unfinished) {
      this.endRecord(empty, 0, out, at);
      this.line++;
      this.recordLine = this.line;
    }
    this.skipLf = false;
    this.started = false;
    return at.pos > 0 ? out.subarray(0, at.pos) : null;
  }

  /** The last record (a file need not end in a line break); throws on what an unfinished file leaves open. */
  end(): Buffer | null {
    const last = this.endSlice();
    if (this.header === null) throw new CsvError(1, CSV_PROBLEMS.empty);
    return last;
  }

  private output(buf: Buffer, start: number, records: number): Buffer {
    return Buffer.allocUnsafe(this.carryBytes + (buf.length - start) + records * SUFFIX_BYTES);
  }

  private scan(buf: Buffer, start: number, limit: number): Buffer | null {
    // At most one record per line break (plus the one a chunk may end).
    let breaks = 1;
    for (let at = buf.indexOf(LF, start); at !== -1 && at < limit; at = buf.indexOf(LF, at + 1)) breaks++;
    for (let at = buf.indexOf(CR, start); at !== -1 && at < limit; at = buf.indexOf(CR, at + 1)) breaks++;
    const out = this.output(buf, start, breaks);
    const at = { pos: 0 };
    const d = this.d;
    const q = this.q;
    const e = this.e;
    // Hot loop: the state lives in locals and goes back to `this` around each record's end.
    let state = this.state;
    let line = this.line;
    let skipLf = this.skipLf;
    let recordStart = start;
    for (let i = start; i < limit; i++) {
      const b = buf[i]!;
      if (skipLf) {
        skipLf = false;
        if (b === LF) {
          recordStart = i + 1;
          continue;
        }
      }
      if (b === NUL) throw new CsvError(line, CSV_PROBLEMS.nul);
      if (state === ESCAPED) {
        state = QUOTED;
        if (b === q || b === e) continue;
      }
      if (state === QUOTED) {
        if (b === q) state = AFTER_QUOTE;
        else if (b === e) state = ESCAPED;
        else if (b === LF) line++;
        continue;
      }
      if (b === d) {
        this.fields++;
        state = FIELD_START;
      } else if (b === LF || b === CR) {
        this.line = line;
        this.endRecord(buf, i, out, at, recordStart);
        state = FIELD_START;
        line++;
        this.recordLine = line;
        recordStart = i + 1;
        skipLf = b === CR;
      } else if (b === q) {
        // At a field's start a quote opens it; right after a closing quote it is a doubled quote.
        if (state === UNQUOTED) throw new CsvError(line, CSV_PROBLEMS.quoteInUnquoted);
        state = QUOTED;
      } else if (state === AFTER_QUOTE) {
        throw new CsvError(line, CSV_PROBLEMS.afterClosingQuote);
      } else {
        state = UNQUOTED;
      }
    }
    this.line = line;
    this.skipLf = skipLf;
    this.state = state;
    if (recordStart < limit) {
      this.carry.push(buf.subarray(recordStart, limit));
      this.carryBytes += limit - recordStart;
      if (this.carryBytes > MAX_RECORD_BYTES) throw new CsvError(this.recordLine, CSV_PROBLEMS.recordTooLarge);
    }
    return at.pos > 0 ? out.subarray(0, at.pos) : null;
  }

  /** The record that ends at `buf[end]` (its bytes: the carry, then `buf[start, end)`). */
  private endRecord(buf: Buffer, end: number, out: Buffer, at: { pos: number }, start = 0): void {
    const bytes = this.carryBytes + (end - start);
    const fields = this.fields + 1;
    const line = this.line;
    this.fields = 0;
    this.state = FIELD_START;
    if (bytes === 0) return; // an empty line
    if (bytes > MAX_RECORD_BYTES) throw new CsvError(this.recordLine, CSV_PROBLEMS.recordTooLarge);
    if (this.header === null) {
      const text = Buffer.concat([...this.carry, buf.subarray(start, end)]).toString("utf8");
      this.carry = [];
      this.carryBytes = 0;
      const header = splitRecord(text, this.options.delimiter, this.options.enclosure, this.e === -1 ? "" : this.options.escapedBy!).map((v) => v.trim());
      this.options.onHeader?.(header, this.recordLine);
      this.header = header;
      this.width = header.length;
      return;
    }
    if (fields !== this.width) throw new CsvError(line, CSV_PROBLEMS.columnCount(this.width, fields));
    let pos = at.pos;
    const from = pos;
    for (const piece of this.carry) pos += piece.copy(out, pos);
    pos += buf.copy(out, pos, start, end);
    if (this.options.lineColumn === false) {
      if (pos - from === 2 && out[from] === 0x5c && out[from + 1] === 0x2e) {
        out[from] = this.q;
        out[from + 1] = 0x5c;
        out[from + 2] = 0x2e;
        out[from + 3] = this.q;
        pos = from + 4;
      }
    } else {
      out[pos++] = this.d;
      pos += out.write(String(line), pos, "latin1");
    }
    out[pos++] = LF;
    at.pos = pos;
    this.carry = [];
    this.carryBytes = 0;
    this.rows++;
  }
}
