// Test data made fresh per test: unique names, its own project, so tests never share rows.
import { createToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { registerComponents } from "@/prisma/seed";

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export async function ensureComponents(): Promise<void> {
  await registerComponents(db());
}

export async function createTestProject() {
  await ensureComponents();
  const project = await db().project.create({ data: { name: unique("project") } });
  const manage = await createToken({ db: db(), projectId: project.id, description: unique("manager") });
  const read = await createToken({ db: db(), projectId: project.id, description: unique("reader"), permission: "read" });
  const auth = { projectId: project.id, projectName: project.name, tokenId: manage.id, tokenDescription: "manager", permission: "manage" as const };
  return { project, manage, read, auth };
}

export async function createTestConfig(projectId: number, componentId: string, options: { disabled?: boolean } = {}) {
  return db().configuration.create({
    data: { projectId, componentId, configId: unique("cfg"), name: unique("Config"), isDisabled: options.disabled ?? false },
  });
}
