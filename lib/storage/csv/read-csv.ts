// Streaming CSV reading: one record at a time, never the whole file in memory. Every problem
// (invalid UTF-8, bad quoting, ragged rows, a NUL, an oversized record) becomes a CsvError that
// names the line.
import type { Readable } from "node:stream";
import { type CsvError as ParserError, parse } from "csv-parse";
import { CSV_PROBLEMS, CsvError, MAX_RECORD_BYTES } from "@/lib/storage/csv/csv-error";
import { Utf8Check } from "@/lib/storage/csv/utf8-check";

export type CsvRecord = { line: number; values: string[] };
/** Keboola's CSV options: a one-character delimiter and enclosure (RFC 4180's comma and quote by default), and an escape inside enclosed values. */
export type CsvDialect = { delimiter?: string; enclosure?: string; escapedBy?: string };

export { MAX_RECORD_BYTES };

type ParserFailure = ParserError & { lines?: number; raw?: string };

const PROBLEMS: Record<string, (e: ParserFailure) => string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: (e) => {
    const match = /expect (\d+), got (\d+)/.exec(e.message);
    return match ? CSV_PROBLEMS.columnCount(Number(match[1]), Number(match[2])) : "the row has a different number of values than the header";
  },
  CSV_QUOTE_NOT_CLOSED: () => CSV_PROBLEMS.unclosedQuote,
  CSV_INVALID_CLOSING_QUOTE: () => CSV_PROBLEMS.afterClosingQuote,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: () => CSV_PROBLEMS.afterClosingQuote,
  INVALID_OPENING_QUOTE: () => CSV_PROBLEMS.quoteInUnquoted,
  CSV_MAX_RECORD_SIZE: () => CSV_PROBLEMS.recordTooLarge,
};

function toCsvError(error: unknown): unknown {
  if (error instanceof CsvError) return error;
  const e = error as ParserFailure;
  const describe = typeof e?.code === "string" ? PROBLEMS[e.code] : undefined;
  if (!describe) return error;
  return new CsvError(recordStartLine(e), describe(e));
}

/** The line a failed record starts on: the parser reports where it stopped, and the record's raw
 *  text tells how many lines back its start is (an unclosed quote runs to the end of the file). */
function recordStartLine(e: ParserFailure): number {
  const lines = e.lines ?? 1;
  if (e.code !== "CSV_QUOTE_NOT_CLOSED" || typeof e.raw !== "string") return lines;
  const spanned = e.raw.replace(/[\r\n]+$/, "").split("\n").length - 1;
  return Math.max(1, lines - spanned);
}

/**
 * Yields the records of a CSV stream (the header first) with the line each ends on.
 * Empty lines are skipped; every record must have as many values as the first.
 */
export async function* readCsv(source: Readable, dialect: CsvDialect = {}): AsyncGenerator<CsvRecord> {
  const check = new Utf8Check();
  // raw: the failed record's text, to find where an unclosed quote opened.
  const parser = parse({
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    relax_column_count: false,
    delimiter: dialect.delimiter ?? ",",
    // Keboola's `enclosure`: an empty one means values are never enclosed.
    quote: dialect.enclosure === "" ? false : (dialect.enclosure ?? '"'),
    // Inside an enclosed value a doubled enclosure is one (Keboola's rule), unless escapedBy is given.
    escape: dialect.escapedBy || dialect.enclosure || '"',
  });
  // Errors of the source or the checker end the parser with the same error.
  source.on("error", (e) => parser.destroy(e));
  check.on("error", (e) => parser.destroy(e));
  source.pipe(check).pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      const line = item.info.lines;
      for (const value of item.record) {
        if (value.includes("\u0000")) throw new CsvError(line, CSV_PROBLEMS.nul);
      }
      yield { line, values: item.record };
    }
  } catch (error) {
    throw toCsvError(error);
  } finally {
    source.unpipe(check);
    check.unpipe(parser);
    if (!source.destroyed) source.destroy();
  }
}
