import "server-only";
// Components people add (runtime "process"): found in the database for the job's project, their
// code unpacked from the version the job's `tag` names (or the newest), run over the Common Interface.
import type { Db } from "@/lib/db";
import { type ComponentDefinition, UserError } from "@/worker/components/types";
import { resolveComponentVersion } from "@/worker/runtime/component-code";
import { type Program, type ProgramResolver, runCommonInterface } from "@/worker/runtime/run-component";
import { componentSettings } from "@/worker/runtime/settings";

/** The program of a process component visible to the project, at `tag` or its newest version. */
export const resolveProcessProgram: ProgramResolver = async ({ db, projectId, componentId, tag }) => {
  const found = await resolveComponentVersion({ db, projectId, componentId, tag: tag ?? undefined });
  return {
    componentId,
    version: found.version.tag,
    command: found.version.command,
    codeDir: found.codeDir,
    settings: componentSettings(found.component.settings),
  };
};

export async function findProcessComponent(options: { db: Db; projectId: number; componentId: string }): Promise<ComponentDefinition | undefined> {
  const row = await options.db.component.findFirst({
    where: { id: options.componentId, kind: "process", OR: [{ projectId: null }, { projectId: options.projectId }] },
  });
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    type: row.type as ComponentDefinition["type"],
    runtime: row.runtime as ComponentDefinition["runtime"],
    description: row.description,
    stopsItself: true,
    async run(ctx) {
      const program: Program = await resolveProcessProgram({ db: ctx.db, projectId: ctx.job.projectId, componentId: row.id, tag: ctx.job.tag }).catch((error: unknown) => {
        throw error instanceof UserError ? error : new UserError(`Component ${row.id}: ${error instanceof Error ? error.message : String(error)}`);
      });
      return runCommonInterface(ctx, program);
    },
  };
}
