import "server-only";
import type { DbClient } from "@/lib/db";
import { forbidden, notFound } from "@/lib/errors";
import type { Component, Prisma } from "@/lib/generated/prisma/client";

/** The components a project sees: the built-ins and its own process components, never another project's. */
export const visibleComponentsWhere = (projectId: number): Prisma.ComponentWhereInput => ({ OR: [{ projectId: null }, { projectId }] });

/** The component, when the project may see it; null for an unknown id and for another project's component alike. */
export async function findVisibleComponent(options: { db: DbClient; projectId: number; componentId: string }): Promise<Component | null> {
  return options.db.component.findFirst({ where: { id: options.componentId, ...visibleComponentsWhere(options.projectId) } });
}

/** The same, or a 404. */
export async function requireVisible(options: { db: DbClient; projectId: number; componentId: string }): Promise<Component> {
  const component = await findVisibleComponent(options);
  if (!component) throw notFound(`Component "${options.componentId.slice(0, 200)}"`);
  return component;
}

/** A process component (built-ins are Jobdeck's own code), or a 403. */
export function requireOwn(component: Component, what: string): Component {
  if (component.kind !== "process") throw forbidden(`"${component.id}" is a built-in component; it cannot be ${what}.`);
  return component;
}
