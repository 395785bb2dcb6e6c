import "server-only";
import { type ApiError, invalidInput } from "@/lib/errors";
import { type SchedulerConfiguration, schedulerConfigurationSchema } from "@/lib/schemas/schedules";

/**
 * A keboola.scheduler configuration's body: `{schedule, target}` at the top (Keboola's shape), or
 * under `parameters` (where a component's settings usually go). A 422 names the field.
 */
export function readSchedulerConfiguration(body: unknown): { ok: true; value: SchedulerConfiguration } | { ok: false; error: ApiError } {
  const nested = isObject(body) && !("schedule" in body) && isObject(body.parameters) && "schedule" in body.parameters;
  const source = nested ? (body.parameters as Record<string, unknown>) : (body ?? {});
  const parsed = schedulerConfigurationSchema.safeParse(source);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = [nested ? "configuration.parameters" : "configuration", ...issue.path.map(String)].join(".");
  return { ok: false, error: invalidInput(`${field}: ${issue.message}`, field) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
