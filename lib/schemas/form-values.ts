// Values as a form body carries them (lib/api/form-fields.ts: every leaf a string) beside their JSON
// form, so that one schema checks both. Python's requests sends True/False as "True"/"False".
import { z } from "zod";

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off", ""]);

/** A boolean: true/false, 1/0, or their strings ("true", "1", "True", "0", "" …). */
export const formFlag = z.union([
  z.boolean(),
  z.literal(0).transform(() => false),
  z.literal(1).transform(() => true),
  z
    .string()
    .max(8)
    .transform((v, ctx) => {
      const lower = v.trim().toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      ctx.addIssue({ code: "custom", message: `"${v.slice(0, 8)}" is not a boolean (true/false, 1/0)` });
      return z.NEVER;
    }),
]);

/** A whole number as a number or its decimal string. */
export const formInt = (min: number, max: number) =>
  z.union([z.number(), z.string().trim().regex(/^-?\d{1,15}$/, "must be a whole number").transform(Number)]).pipe(z.number().int().min(min).max(max));

/** A list: an array, one value, or a comma-separated string (Keboola's `columns=a,b`). */
export const commaList = <T extends z.ZodType<unknown, string>>(item: T, max: number) =>
  z
    .union([z.array(z.string()).max(max), z.string().max(64_000).transform((s) => (s.trim() === "" ? [] : s.split(",").map((c) => c.trim())))])
    .pipe(z.array(item).max(max));

/** An object that a form may send as `a[key]=v` or as one JSON-encoded string. */
export const formJsonObject = z.union([
  z.record(z.string(), z.unknown()),
  z.string().transform((v, ctx) => {
    try {
      const parsed: unknown = v.trim() === "" ? {} : JSON.parse(v);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: "must be an object (or a JSON object as text)" });
    return z.NEVER;
  }),
]);
