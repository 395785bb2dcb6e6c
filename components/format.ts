// Formatting for people: durations in words, times in the browser's time zone, bytes, credits.

const pad = (n: number) => String(n).padStart(2, "0");

/** "12 s", "4 min 12 s", "1 h 3 min", "2 d 5 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  if (s < 86_400) {
    const minutes = Math.floor((s % 3600) / 60);
    return minutes ? `${Math.floor(s / 3600)} h ${minutes} min` : `${Math.floor(s / 3600)} h`;
  }
  const hours = Math.floor((s % 86_400) / 3600);
  return hours ? `${Math.floor(s / 86_400)} d ${hours} h` : `${Math.floor(s / 86_400)} d`;
}

/** Local date and time, "2025-11-23 17:33:12". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local time of day, "17:33:12". */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The exact instant in UTC, for title attributes: "2025-11-23 16:33:12 UTC". */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return "";
  return `${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

/** The browser's time zone, e.g. "Europe/Prague". */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "long" });

/** "just now", "4 minutes ago", "yesterday", "3 days ago". */
export function formatRelative(iso: string, now: number): string {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return "just now";
  if (abs < 3600) return relativeFormat.format(Math.round(diff / 60), "minute");
  if (abs < 86_400) return relativeFormat.format(Math.round(diff / 3600), "hour");
  if (abs < 30 * 86_400) return relativeFormat.format(Math.round(diff / 86_400), "day");
  return formatDateTime(iso).slice(0, 10);
}

/** Seconds a job has been processing: the final duration, or the time since it started. */
export function processingSeconds(job: { durationSeconds: number | null; startTime: string | null; endTime: string | null }, now: number): number | null {
  if (job.durationSeconds !== null) return job.durationSeconds;
  if (job.startTime && !job.endTime) return Math.max(0, (now - new Date(job.startTime).getTime()) / 1000);
  return null;
}

/** "512 B", "4.8 MB" (decimal units, as storage sizes are usually quoted). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Credits with up to three decimals; tiny non-zero amounts say so instead of rounding to 0. */
export function formatCredits(credits: number): string {
  if (credits === 0) return "0";
  if (credits < 0.001) return "< 0.001";
  return String(Math.round(credits * 1000) / 1000);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
