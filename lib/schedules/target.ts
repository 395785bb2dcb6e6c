import "server-only";
import { findVisibleComponent } from "@/lib/components/find-visible-component";
import type { DbClient } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { SchedulerConfiguration } from "@/lib/schemas/schedules";

type Target = SchedulerConfiguration["target"];
const FIELD = "configuration.target";

/**
 * Why a schedule's target cannot run now, or null. The one check for activation (answered as an
 * error) and for every slot (recorded as a failed execution, and shown as "broken").
 */
export async function targetProblem(options: { db: DbClient; projectId: number; target: Target; fields?: Partial<Record<keyof Target, string>> }): Promise<ApiError | null> {
  const { db, projectId, target } = options;
  const field = (name: keyof Target) => options.fields?.[name] ?? `${FIELD}.${name}`;
  const component = await findVisibleComponent({ db, projectId, componentId: target.componentId });
  if (!component) return new ApiError(404, "notFound", `Component "${target.componentId.slice(0, 200)}" was not found.`, field("componentId"));
  if (component.id === "keboola.scheduler") return new ApiError(422, "invalidInput", "A schedule cannot run another schedule.", field("componentId"));
  // Scoped to the caller's project: another project's configuration is as unknown as a missing one.
  const config = await db.configuration.findUnique({
    where: { projectId_componentId_branchId_configId: { projectId, componentId: target.componentId, branchId: "default", configId: target.configurationId } },
    include: { rows: { select: { rowId: true } } },
  });
  if (!config) {
    return new ApiError(404, "notFound", `Configuration "${target.configurationId.slice(0, 100)}" of component "${target.componentId.slice(0, 200)}" was not found (deleted, or never in this project).`, field("configurationId"));
  }
  const rowIds = new Set(config.rows.map((r) => r.rowId));
  const index = target.configurationRowIds.findIndex((id) => !rowIds.has(id));
  if (index >= 0) {
    return new ApiError(404, "notFound", `Row "${target.configurationRowIds[index]!.slice(0, 100)}" of configuration "${config.configId}" was not found.`, `${field("configurationRowIds")}.${index}`);
  }
  if (config.isDisabled && target.mode !== "forceRun") {
    return new ApiError(422, "configurationDisabled", `Configuration "${config.name}" is disabled; schedule it with mode "forceRun" or enable it.`, field("mode"));
  }
  return null;
}
