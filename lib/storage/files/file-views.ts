import "server-only";
import type { File } from "@/lib/generated/prisma/client";
import type { FileJson } from "@/lib/schemas/storage";

export function toFileJson(file: File & { token: { id: number; description: string } }, origin: string): FileJson {
  return {
    id: file.id.toString(),
    created: file.created.toISOString(),
    name: file.name,
    sizeBytes: Number(file.sizeBytes),
    contentType: file.contentType,
    tags: file.tags,
    runId: file.runId,
    sha256: file.sha256,
    expiresAt: file.expiresAt?.toISOString() ?? null,
    url: `${origin}/api/v2/storage/files/${file.id}/download`,
    creatorToken: { id: String(file.token.id), description: file.token.description },
  };
}
