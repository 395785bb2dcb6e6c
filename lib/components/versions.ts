import "server-only";
// Versions of a process component: one per upload of its code, named by a tag (a job's `tag`
// picks one, otherwise the newest runs). The archive is kept in the database so that every
// worker, on any machine, runs the same bytes.
import { createHash } from "node:crypto";
import type { AuthContext } from "@/lib/auth/tokens";
import type { Db } from "@/lib/db";
import { ApiError, invalidInput } from "@/lib/errors";
import type { CreateVersionInput } from "@/lib/schemas/components";
import { ArchiveError, inspectArchive } from "@/lib/components/archive";
import { commandProblem } from "@/lib/components/command";
import { requireOwn, requireVisible } from "@/lib/components/find-visible-component";
import { toVersionJson, versionColumns } from "@/lib/components/views";

export type CodeUpload = { bytes: Buffer; fileName: string };

/** Checks the archive and the command against it; the row to insert, or a 413/422 naming the file. */
export async function prepareVersion(options: { code: CodeUpload; command: string[] | undefined; tag: string; tokenId: number | null }) {
  const { code, command } = options;
  const shown = code.fileName.slice(0, 200);
  let summary;
  try {
    summary = await inspectArchive({ bytes: code.bytes });
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    if (error.reason === "tooLarge" && !error.entry && /bytes; at most/.test(error.message)) throw new ApiError(413, "payloadTooLarge", `code "${shown}": ${error.message}`, "code");
    throw new ApiError(422, "invalidArchive", `code "${shown}": ${error.message}`, "code");
  }
  if (!command) throw invalidInput("command: is required, e.g. [\"python3\", \"main.py\"]", "command");
  if (summary.fileCount === 0) throw new ApiError(422, "invalidArchive", `code "${shown}": the archive has no files.`, "code");
  const problem = commandProblem(command, summary.files);
  if (problem) throw invalidInput(`${problem.message} ("${shown}" has ${summary.files.slice(0, 5).join(", ")}${summary.files.length > 5 ? ", …" : ""})`, problem.field);
  return {
    tag: options.tag,
    command,
    archiveType: summary.type,
    archive: new Uint8Array(code.bytes),
    sha256: createHash("sha256").update(code.bytes).digest("hex"),
    sizeBytes: code.bytes.length,
    unpackedBytes: BigInt(summary.unpackedBytes),
    fileCount: summary.fileCount,
    tokenId: options.tokenId,
  };
}

/** A new version of a component of the caller's project. Without a command, the newest version's runs. */
export async function addComponentVersion(options: {
  db: Db;
  auth: Pick<AuthContext, "projectId" | "tokenId">;
  componentId: string;
  input: CreateVersionInput;
  code: CodeUpload;
}) {
  const { db, auth, input } = options;
  const component = requireOwn(await requireVisible({ db, projectId: auth.projectId, componentId: options.componentId }), "given new versions");
  const existing = await db.componentVersion.findMany({ where: { componentId: component.id }, select: { tag: true, command: true }, orderBy: { id: "desc" } });
  const tags = new Set(existing.map((v) => v.tag));
  if (input.tag && tags.has(input.tag)) throw versionExists(component.id, input.tag);
  let tag = input.tag;
  for (let n = existing.length + 1; !tag; n++) if (!tags.has(`v${n}`)) tag = `v${n}`;
  const row = await prepareVersion({ code: options.code, command: input.command ?? existing[0]?.command, tag, tokenId: auth.tokenId });
  try {
    const [version] = await db.$transaction([
      db.componentVersion.create({ data: { ...row, componentId: component.id }, select: versionColumns }),
      db.component.update({ where: { id: component.id }, data: { updatedAt: new Date() } }),
    ]);
    return toVersionJson(version);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw versionExists(component.id, tag);
    throw error;
  }
}

export async function listComponentVersions(options: { db: Db; projectId: number; componentId: string }) {
  const component = await requireVisible(options);
  const versions = await options.db.componentVersion.findMany({ where: { componentId: component.id }, select: versionColumns, orderBy: { id: "desc" } });
  return versions.map(toVersionJson);
}

const versionExists = (componentId: string, tag: string) =>
  new ApiError(409, "versionExists", `Component "${componentId}" already has a version tagged "${tag}".`, "tag");
