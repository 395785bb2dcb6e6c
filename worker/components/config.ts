// Reading a component's configuration body: each setting checked, with an error that names it.
import { UserError } from "./types";

export function text(config: Record<string, unknown>, key: string): string {
  const value = config[key];
  if (typeof value !== "string" || value.trim() === "") throw new UserError(`Configuration "${key}" must be a non-empty string.`);
  return value.trim();
}

export function textList(config: Record<string, unknown>, key: string, options: { optional?: boolean } = {}): string[] {
  const value = config[key];
  if (value === undefined && options.optional) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new UserError(`Configuration "${key}" must be a list of strings.`);
  return value as string[];
}

/** A mapping is `"in.c-b.t"` (same name on both sides) or `{"source": …, "destination": …}`. */
export function mappings(config: Record<string, unknown>, key: string, name: (tableId: string) => string): { source: string; destination: string }[] {
  const value = config[key] ?? [];
  if (!Array.isArray(value)) throw new UserError(`Configuration "${key}" must be a list of tables.`);
  return value.map((m, i) => {
    if (typeof m === "string") return key === "input" ? { source: m, destination: name(m) } : { source: name(m), destination: m };
    if (m && typeof m === "object" && typeof m.source === "string" && typeof m.destination === "string") return { source: m.source, destination: m.destination };
    throw new UserError(`Configuration "${key}[${i}]" must be a table id or {"source", "destination"}.`);
  });
}

export function flag(config: Record<string, unknown>, key: string): boolean {
  const value = config[key];
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new UserError(`Configuration "${key}" must be true or false.`);
  return value;
}
