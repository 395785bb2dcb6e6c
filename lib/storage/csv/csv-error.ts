/** A problem in a CSV file, with the (1-based) line it is on. Its message names both. */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`Line ${line}: ${problem}`);
    this.name = "CsvError";
  }
}

// A record larger than this is refused: an unclosed quote must not pull the file into memory.
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

// The words for each problem, shared by both readers (read-csv.ts and copy-csv.ts) so that a file
// gets the same message whichever path imports it.
export const CSV_PROBLEMS = {
  columnCount: (expected: number, found: number) => `expected ${expected} values (as in the header) but found ${found}`,
  unclosedQuote: "a quoted value opened on this line is never closed",
  afterClosingQuote: "a closing quote is followed by something other than a comma or the end of the line",
  quoteInUnquoted: 'a quote appears inside an unquoted value (quote the value and double the quote: "a""b")',
  recordTooLarge: `a record is larger than ${MAX_RECORD_BYTES / 1024 / 1024} MiB (an unclosed quote?)`,
  nul: "contains a NUL character, which a table cannot hold",
  notUtf8: "the file is not valid UTF-8 (save it as UTF-8 and try again)",
  empty: "the file is empty; a CSV file starts with a header naming the columns",
} as const;
