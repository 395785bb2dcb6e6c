// Figures the fault suite prints at the end (crashes survived, races run, inputs tried, 5xx seen,
// rows lost). Tests record them; the global setup's teardown prints one table for the whole run.
import { appendFileSync } from "node:fs";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    faultFiguresFile: string;
  }
}

/** Records one figure of the run, e.g. recordFigure("worker crash", "crashes survived", 50). */
export function recordFigure(part: string, figure: string, value: number | string): void {
  appendFileSync(inject("faultFiguresFile"), `${JSON.stringify({ part, figure, value })}\n`);
}
