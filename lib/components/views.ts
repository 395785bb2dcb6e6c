import type { Component, ComponentVersion } from "@/lib/generated/prisma/client";
import type { ComponentSettings, ComponentVersionJson, ProcessComponentJson } from "@/lib/schemas/components";

/** A version without its archive: lists never read the code's bytes. */
export const versionColumns = {
  id: true,
  tag: true,
  command: true,
  archiveType: true,
  sha256: true,
  sizeBytes: true,
  unpackedBytes: true,
  fileCount: true,
  createdAt: true,
} as const;
export type VersionRow = Pick<ComponentVersion, keyof typeof versionColumns>;

export function toVersionJson(v: VersionRow): ComponentVersionJson {
  return {
    tag: v.tag,
    command: v.command,
    archiveType: v.archiveType as ComponentVersionJson["archiveType"],
    sha256: v.sha256,
    sizeBytes: v.sizeBytes,
    unpackedBytes: Number(v.unpackedBytes),
    fileCount: v.fileCount,
    created: v.createdAt.toISOString(),
  };
}

export function toComponentJson(c: Component & { versions: VersionRow[] }): ProcessComponentJson {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    description: c.description,
    kind: c.kind === "process" ? "process" : "builtin",
    configurationSchema: (c.configurationSchema as Record<string, unknown> | null) ?? null,
    settings: (c.settings as ComponentSettings) ?? {},
    versions: c.versions.map(toVersionJson),
    created: c.createdAt.toISOString(),
    updated: c.updatedAt.toISOString(),
  };
}
