// Shared by the benchmarks: options, machine facts, percentiles and a printed table.
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";

export function options<T extends Record<string, { default: string }>>(spec: T): { quick: boolean } & { [K in keyof T]: number } {
  const { values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { quick: { type: "boolean", default: false }, ...Object.fromEntries(Object.keys(spec).map((k) => [k, { type: "string" as const }])) },
  });
  const out: Record<string, number | boolean> = { quick: Boolean(values.quick) };
  for (const [key, { default: d }] of Object.entries(spec)) out[key] = Number(values[key] ?? d);
  return out as { quick: boolean } & { [K in keyof T]: number };
}

export function machine(database: string): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "cpu"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${database}, node ${process.version}, ${new Date().toISOString()}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function table(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((r) => keys.map((k) => fmt(r[k])));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  console.log(line(keys));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

function fmt(v: string | number | undefined): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  return v ?? "";
}

/** CPU milliseconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, at 100 Hz
  } catch {
    return 0;
  }
}

/** A memory line of /proc/<pid>/status in MB (VmRSS: now; VmHWM: the peak so far), or null once the process is gone. */
export function procStatusMb(field: "VmRSS" | "VmHWM", pid: number | "self" = "self"): number | null {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}
