// The SQL workspaces of one process start from the empty database the first one kept in a file
// (never from what an earlier job's SQL left, and a new database again when the file is gone), and
// die with the process.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { workspaceProcessesOf } from "@/test/sql-workspaces";
import { waitFor } from "@/test/wait";
import { isRunning } from "@/worker/runtime/run-process";
import { emptyDatabaseFile, openSqlWorkspace } from "./sql-workspace";

const count = (name: string) => `COPY (SELECT count(*) FROM pg_tables WHERE tablename = '${name}') TO '/dev/blob'`;

async function run(work: (w: ReturnType<typeof openSqlWorkspace>) => Promise<string>): Promise<string> {
  const workspace = openSqlWorkspace(new AbortController().signal, { memoryMb: 2048 });
  try {
    return await work(workspace);
  } finally {
    await workspace.close();
  }
}

describe("SQL workspaces", () => {
  it("start empty from the kept database, and make a new one when its file is gone", { timeout: 120_000 }, async () => {
    // The folder of a process that is gone (killed before it could remove it) is swept.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const stale = path.join(os.tmpdir(), `jobdeck-sql-workspace-${gone}-stale`);
    mkdirSync(stale, { recursive: true });

    expect(await run(async (w) => {
      await w.exec("CREATE TABLE left_behind AS SELECT 1 AS n");
      return String(await w.export(count("left_behind")));
    })).toBe("1\n");
    const kept = emptyDatabaseFile();
    expect(kept).not.toBeNull();
    expect(existsSync(kept!)).toBe(true);
    expect(existsSync(stale)).toBe(false);
    // Private to this process's user.
    expect(statSync(path.dirname(kept!)).mode & 0o777).toBe(0o700);

    // The next job's workspace does not see the first one's table.
    expect(await run(async (w) => String(await w.export(count("left_behind"))))).toBe("0\n");

    // With the file removed (a cleaned temporary folder) a workspace still opens, on a new
    // database, which it keeps again.
    rmSync(kept!);
    expect(await run(async (w) => {
      await w.exec("CREATE TABLE t AS SELECT 2 AS n");
      return String(await w.export("COPY (SELECT n FROM t) TO '/dev/blob'"));
    })).toBe("2\n");
    expect(existsSync(kept!)).toBe(true);
  });

  it("die with the process that opened them, even in the middle of a long query", { timeout: 120_000 }, async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", "test/fixtures/sql-workspace-parent.ts"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    parent.stdout.on("data", (chunk: Buffer) => (out += String(chunk)));
    await waitFor("the query to start", async () => out.includes("querying"), 60_000);
    const [workspace] = workspaceProcessesOf(parent.pid!);
    expect(workspace).toBeDefined();
    // The workspace is in its query: it reads no message, so it cannot see its parent go.
    await new Promise((r) => setTimeout(r, 500));
    parent.kill("SIGKILL");
    await waitFor("the workspace to end", async () => !isRunning(workspace!), 30_000);
  });
});
