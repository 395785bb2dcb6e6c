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
