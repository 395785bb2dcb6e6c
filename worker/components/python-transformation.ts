import "server-only";
// Keboola's Python Transformation (keboola.python-transformation-v2) on the Common Interface
// runtime: its program (python-transformation/main.py) runs in the same sandbox as any component
// people add, with Keboola's configuration format (parameters.blocks[].codes[].script[], storage).
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";
import { runCommonInterface } from "@/worker/runtime/run-component";
import type { ComponentDefinition } from "./types";

// The source folder, from the project root (npm start, npm run worker and the tests all run there).
const SOURCE = path.join(process.cwd(), "worker", "components", "python-transformation", "main.py");

let codeDir: Promise<string> | null = null;

/** The program copied once into the run folder, where the sandbox's user can read it. */
function installedCode(): Promise<string> {
  codeDir ??= (async () => {
    const source = await fs.readFile(SOURCE);
    const dir = path.join(env.runDir, "code", `builtin-python-transformation-${createHash("sha256").update(source).digest("hex").slice(0, 16)}`);
    await fs.mkdir(env.runDir, { recursive: true, mode: 0o711 });
    await fs.chmod(env.runDir, 0o711);
    const temp = `${dir}.${process.pid}.tmp`;
    await fs.rm(temp, { recursive: true, force: true });
    await fs.mkdir(temp, { recursive: true, mode: 0o755 });
    await fs.writeFile(path.join(temp, "main.py"), source, { mode: 0o444 });
    await fs.rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process installed the same bytes first.
      await fs.rm(temp, { recursive: true, force: true });
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
    return dir;
  })().catch((error: unknown) => {
    codeDir = null;
    throw error;
  });
  return codeDir;
}

export const pythonTransformation: ComponentDefinition = {
  id: "keboola.python-transformation-v2",
  name: "Python Transformation",
  type: "transformation",
  runtime: "python",
  description: "Runs Python scripts (blocks of codes, in order) over input tables in a sandbox; writes out/tables to Storage.",
  stopsItself: true,
  async run(ctx) {
    return runCommonInterface(ctx, {
      componentId: "keboola.python-transformation-v2",
      version: "builtin",
      command: ["python3", "main.py"],
      codeDir: await installedCode(),
      settings: {},
    });
  },
};
