import "server-only";
// The registry of process components: people's own programs, owned by the project that added them
// (only it sees and runs them), next to the built-ins every project sees.
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, invalidInput } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { CreateComponentInput, UpdateComponentInput } from "@/lib/schemas/components";
import { requireOwn, requireVisible, visibleComponentsWhere } from "@/lib/components/find-visible-component";
import { checkConfigurationSchema } from "@/lib/components/parameters-schema";
import { type CodeUpload, prepareVersion } from "@/lib/components/versions";
import { toComponentJson, versionColumns } from "@/lib/components/views";

const withVersions = { versions: { select: versionColumns, orderBy: { id: "desc" as const } } } satisfies Prisma.ComponentInclude;

/** Adds a process component to the caller's project; with code, its first version too. 409 for a taken id. */
export async function addComponent(options: {
  db: Db;
  auth: Pick<AuthContext, "projectId" | "tokenId">;
  input: CreateComponentInput;
  code?: CodeUpload | null;
}) {
  const { db, auth, input } = options;
  checkConfigurationSchema(input.configurationSchema);
  if (input.command && !options.code) throw invalidInput("code: a command needs the code: send the archive in the file field `code`", "code");
  if (input.tag && !options.code) throw invalidInput("code: a tag names a version, which needs the code in the file field `code`", "code");
  // Ids differ from every other component's in more than case: a job names them in URLs and configs.
  const taken = await db.component.findFirst({ where: { id: { equals: input.id, mode: "insensitive" } }, select: { id: true, kind: true, projectId: true } });
  if (taken) {
    const whose = taken.kind === "builtin" ? "a built-in component" : taken.projectId === auth.projectId ? "a component of this project" : "taken";
    throw new ApiError(409, "componentExists", `Component id "${input.id}" is already ${whose === "taken" ? "taken" : `used by ${whose}`}; choose another.`, "id");
  }
  const version = options.code ? await prepareVersion({ code: options.code, command: input.command, tag: input.tag ?? "v1", tokenId: auth.tokenId }) : null;
  const created = await db.component.create({
    data: {
      id: input.id,
      name: input.name,
      type: input.type,
      description: input.description,
      runtime: null,
      kind: "process",
      projectId: auth.projectId,
      configurationSchema: (input.configurationSchema ?? undefined) as Prisma.InputJsonObject | undefined,
      settings: input.settings,
      ...(version && { versions: { create: version } }),
    },
    include: withVersions,
  });
  return toComponentJson(created);
}

/** The built-ins and the project's own components, by id. */
export async function listComponentsOfProject(options: { db: Db; projectId: number }) {
  const components = await options.db.component.findMany({ where: visibleComponentsWhere(options.projectId), include: withVersions, orderBy: { id: "asc" } });
  return components.map(toComponentJson);
}

export async function getComponent(options: { db: Db; projectId: number; componentId: string }) {
  const component = await requireVisible(options);
  const versions = await options.db.componentVersion.findMany({ where: { componentId: component.id }, select: versionColumns, orderBy: { id: "desc" } });
  return toComponentJson({ ...component, versions });
}

export async function updateComponent(options: { db: Db; projectId: number; componentId: string; input: UpdateComponentInput }) {
  const { db, input } = options;
  const component = requireOwn(await requireVisible(options), "changed");
  if (input.configurationSchema !== undefined) checkConfigurationSchema(input.configurationSchema);
  const updated = await db.component.update({
    where: { id: component.id },
    data: {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.type !== undefined && { type: input.type }),
      ...(input.configurationSchema !== undefined && { configurationSchema: (input.configurationSchema as Prisma.InputJsonObject | null) ?? Prisma.DbNull }),
      ...(input.settings !== undefined && { settings: input.settings }),
    },
    include: withVersions,
  });
  return toComponentJson(updated);
}

/** Deletes a component and its versions; refused while configurations use it. */
export async function deleteComponent(options: { db: Db; projectId: number; componentId: string }) {
  const { db } = options;
  const component = requireOwn(await requireVisible(options), "deleted");
  const used = await db.configuration.count({ where: { componentId: component.id } });
  if (used > 0) {
    throw new ApiError(409, "componentInUse", `Component "${component.id}" is used by ${used} configuration${used === 1 ? "" : "s"}; delete ${used === 1 ? "it" : "them"} first.`);
  }
  await db.component.delete({ where: { id: component.id } });
}
