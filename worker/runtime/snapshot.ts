import "server-only";
// Debug mode's snapshots: the data folder zipped at a stage of the run and stored as a File.
// config.json goes in with its "#" values removed; links are never followed.
import fs from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import yazl from "yazl";
import type { Db } from "@/lib/db";
import type { File, Job } from "@/lib/generated/prisma/client";
import { removeSecrets } from "@/lib/secrets/secrets";
import { storeFile } from "@/lib/storage/files/store-file";

async function* walk(root: string, rel = ""): AsyncGenerator<{ rel: string; full: string; dir: boolean }> {
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    const full = path.join(root, childRel);
    if (entry.isDirectory()) {
      yield { rel: childRel, full, dir: true };
      yield* walk(root, childRel);
    } else if (entry.isFile()) yield { rel: childRel, full, dir: false };
  }
}

/** Zips `dir` (config.json without its secrets) into a new File of the job's run. */
export async function storeSnapshot(options: {
  db: Db;
  job: Job;
  dir: string;
  stage: string;
  config: Record<string, unknown>;
  tags: string[];
}): Promise<File> {
  // The tree is listed before the File is opened: a folder that cannot be read stores nothing.
  const entries = [];
  for await (const entry of walk(options.dir)) entries.push(entry);
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  for (const entry of entries) {
    if (entry.dir) zip.addEmptyDirectory(entry.rel);
    else if (entry.rel === "config.json") zip.addBuffer(Buffer.from(JSON.stringify(removeSecrets(options.config), null, 2)), entry.rel);
    else zip.addFile(entry.full, entry.rel);
  }
  zip.end();
  const stored = storeFile({
    db: options.db,
    projectId: options.job.projectId,
    tokenId: options.job.tokenId,
    name: `${options.stage}.zip`,
    source: out,
    tags: [...options.tags, options.stage],
    runId: options.job.runId,
    contentType: "application/zip",
  });
  return stored;
}
