// Credits per hour of processing, Keboola's published rates (PRODUCT.md). Only `standard` jobs bill.

export const BACKEND_SIZES = ["xsmall", "small", "medium", "large"] as const;
export type BackendSize = (typeof BACKEND_SIZES)[number];

const SQL_RATES: Record<BackendSize, number> = { xsmall: 6, small: 6, medium: 12, large: 26 };
const CODE_RATES: Record<BackendSize, number> = { xsmall: 0.2, small: 0.4, medium: 0.6, large: 2 };
const FLAT_RATE = 2;

export type CreditSubject = {
  jobType: string;
  componentType: string;
  runtime: string | null;
  backendSize: string | null;
};

export function creditsPerHour(subject: CreditSubject): number {
  if (subject.jobType !== "standard") return 0;
  const size = (BACKEND_SIZES as readonly string[]).includes(subject.backendSize ?? "")
    ? (subject.backendSize as BackendSize)
    : "small";
  if (subject.componentType === "transformation" && subject.runtime === "sql") return SQL_RATES[size];
  if (subject.componentType === "transformation" && (subject.runtime === "python" || subject.runtime === "r")) {
    return CODE_RATES[size];
  }
  return FLAT_RATE;
}

export function creditsFor(subject: CreditSubject, processingSeconds: number): number {
  const credits = (creditsPerHour(subject) * Math.max(0, processingSeconds)) / 3600;
  return Math.round(credits * 1e6) / 1e6;
}
