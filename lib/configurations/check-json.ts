// The configuration page's checks before a save, in the browser: the text must be a JSON object,
// and its `parameters` must match the component's schema where it has one. The server checks
// the same again (lib/components/parameters-schema.ts, with Ajv); this one needs no eval.
import { type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";

export type JsonProblem = { message: string; from: number; to: number };
export type CheckedJson = { ok: true; value: Record<string, unknown> } | { ok: false; problem: JsonProblem };

function draftOf(schema: Record<string, unknown>): SchemaDraft {
  const id = typeof schema.$schema === "string" ? schema.$schema : "";
  if (id.includes("draft-04")) return "4";
  if (id.includes("draft-07") || id.includes("draft-06")) return "7";
  if (id.includes("2019-09")) return "2019-09";
  return "2020-12";
}

const validators = new WeakMap<object, Validator>();

/** `parameters.city: Instance type "number" is invalid. Expected "string".`, or null. */
export function parametersProblem(schema: Record<string, unknown> | null | undefined, parameters: unknown): string | null {
  if (!schema) return null;
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, draftOf(schema), true);
    validators.set(schema, validator);
  }
  const result = validator.validate(parameters ?? {});
  if (result.valid) return null;
  // The most specific problem: the deepest place in the document.
  const error = result.errors.reduce((a, b) => (b.instanceLocation.length >= a.instanceLocation.length ? b : a));
  const at = error.instanceLocation.replace(/^#\/?/, "").split("/").filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
  return `parameters${at}: ${error.error}`;
}

/** Where a JSON.parse error points (V8 says "at position N" or "line L column C"). */
function positionOf(error: Error, text: string): number {
  const pos = /position (\d+)/.exec(error.message);
  if (pos) return Math.min(Number(pos[1]), text.length);
  const lc = /line (\d+) column (\d+)/.exec(error.message);
  if (lc) {
    const lines = text.split("\n").slice(0, Number(lc[1]) - 1);
    return Math.min(lines.reduce((n, l) => n + l.length + 1, 0) + Number(lc[2]) - 1, text.length);
  }
  return text.length;
}

export function checkConfigurationText(text: string, schema?: Record<string, unknown> | null): CheckedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const from = positionOf(error as Error, text);
    return { ok: false, problem: { message: `Not valid JSON: ${(error as Error).message}`, from, to: Math.min(from + 1, text.length) } };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, problem: { message: "The configuration must be a JSON object ({…}).", from: 0, to: Math.min(1, text.length) } };
  }
  const problem = parametersProblem(schema, (value as Record<string, unknown>).parameters);
  if (problem) {
    const at = text.indexOf('"parameters"');
    const from = at < 0 ? 0 : at;
    return { ok: false, problem: { message: `Does not match the component's schema: ${problem}`, from, to: from + (at < 0 ? 1 : 12) } };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
