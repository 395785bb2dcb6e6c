/**
 * A problem in a CSV file, with the (1-based) line it is on. Its message names both: the place is
 * "line 5", or in a sliced file the slice and its own line (LinePlaces).
 */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly place = `line ${line}`,
  ) {
    super(`${place.charAt(0).toUpperCase()}${place.slice(1)}: ${problem}`);
    this.name = "CsvError";
  }
}

/**
 * Names the lines of a file's records. A sliced file's slices are read as one run of lines, each
 * slice starting on a new one; a line is named by its slice and its line within that slice:
 * "slice 2 (part1.csv), line 5". Without slices it is "line 5".
 */
export class LinePlaces {
  private readonly slices: { name: string; first: number }[] = [];

  /** A slice begins on line `first` of the run. */
  beginSlice(name: string, first: number): void {
    this.slices.push({ name, first });
  }

  of(line: number): string {
    for (let i = this.slices.length - 1; i >= 0; i--) {
      const slice = this.slices[i]!;
      if (line >= slice.first) return `slice ${i + 1} (${slice.name}), line ${line - slice.first + 1}`;
    }
    return `line ${line}`;
  }

  /** A CsvError of the run named by its slice; anything else as it is. */
  placed(error: unknown): unknown {
    return error instanceof CsvError && this.slices.length > 0 ? new CsvError(error.line, error.problem, this.of(error.line)) : error;
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
