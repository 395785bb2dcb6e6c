import "server-only";
// A component's optional JSON Schema for a configuration's `parameters`: refused at upload or
// patch when it is not a valid schema, checked when a configuration is saved and a job is created.
import { createHash } from "node:crypto";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { DbClient } from "@/lib/db";
import { invalidInput } from "@/lib/errors";
import { findVisibleComponent } from "@/lib/components/find-visible-component";

const MAX_SCHEMA_BYTES = 100_000;
const MAX_CACHED = 500;

// One compiled validator per distinct schema text: compiling is the expensive part, the text
// changes only when someone patches the component.
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  if (text.length > MAX_SCHEMA_BYTES) throw invalidInput(`configurationSchema: is larger than ${MAX_SCHEMA_BYTES} bytes`, "configurationSchema");
  const key = createHash("sha256").update(text).digest("hex");
  const cached = compiled.get(key);
  if (cached) return cached;
  // A fresh instance each time: two components' schemas may carry the same $id.
  const is2020 = typeof schema.$schema === "string" && schema.$schema.includes("2020-12");
  const ajv = is2020 ? new Ajv2020({ strict: false, allErrors: false }) : new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw invalidInput(`configurationSchema: is not a valid JSON Schema: ${(error as Error).message.slice(0, 300)}`, "configurationSchema");
  }
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, validate);
  return validate;
}

/** Throws a 422 naming the problem when `schema` is not a JSON Schema Ajv can use. */
export function checkConfigurationSchema(schema: Record<string, unknown> | null | undefined): void {
  if (schema) compile(schema);
}

/** `parameters.city: must be string`: the first problem, at its JSON path. */
export function validateParameters(options: { schema: unknown; parameters: unknown; path?: string }): void {
  const schema = options.schema;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return;
  const validate = compile(schema as Record<string, unknown>);
  const parameters = options.parameters ?? {};
  if (validate(parameters)) return;
  const { field, message } = describe(validate.errors?.[0], options.path ?? "parameters");
  throw invalidInput(`${field}: ${message}`, field);
}

/** Checks `parameters` against the schema of a component the project sees (no schema: anything goes). */
export async function checkParameters(options: { db: DbClient; projectId: number; componentId: string; parameters: unknown }): Promise<void> {
  const component = await findVisibleComponent(options);
  if (component) validateParameters({ schema: component.configurationSchema, parameters: options.parameters });
}

function describe(error: ErrorObject | undefined, root: string): { field: string; message: string } {
  if (!error) return { field: root, message: "does not match the component's schema" };
  let field = root + error.instancePath.split("/").slice(1).map(pathPart).join("");
  let message = error.message ?? "is invalid";
  if (error.keyword === "required") {
    field += pathPart(String((error.params as { missingProperty: string }).missingProperty));
    message = "is required";
  } else if (error.keyword === "additionalProperties") {
    field += pathPart(String((error.params as { additionalProperty: string }).additionalProperty));
    message = "is not allowed by the component's schema";
  }
  return { field, message };
}

// JSON Pointer parts as a path people read: .city, [0], ["odd key"].
function pathPart(raw: string): string {
  const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
  if (/^\d+$/.test(key)) return `[${key}]`;
  return /^[A-Za-z_#$][\w#$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
