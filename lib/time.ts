// Time filters accept ISO dates and relative values as Keboola's API does: "-8 hours", "today".

const UNITS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** The instant a time filter names, or null when it names none. Days are UTC days. */
export function parseTimeFilter(value: string, now: Date = new Date()): Date | null {
  const text = value.trim().toLowerCase();
  if (text === "now") return now;
  if (text === "today") return startOfUtcDay(now);
  if (text === "yesterday") return new Date(startOfUtcDay(now).getTime() - UNITS.day!);
  if (text === "tomorrow") return new Date(startOfUtcDay(now).getTime() + UNITS.day!);
  const relative = /^([+-]?)\s*(\d{1,6})\s*(second|minute|hour|day|week)s?(\s+ago)?$/.exec(text);
  if (relative) {
    const [, sign, amount, unit, ago] = relative;
    const direction = sign === "-" || ago ? -1 : 1;
    return new Date(now.getTime() + direction * Number(amount) * UNITS[unit!]!);
  }
  // ISO 8601 dates and date-times only; Date.parse alone would accept too much.
  if (!/^\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  const parsed = new Date(value.trim().replace(" ", "T"));
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}
