import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { dieWithParentPrefix, isRunning, residentBytes } from "@/worker/runtime/run-process";

// A throwaway PGlite database in a process of its own (sql-workspace-process.mjs). PGlite's SQL
// runs synchronously in WebAssembly: in the worker, a query over millions of rows froze the
// server's answers, the worker's heartbeats (its jobs were taken back while still running) and
// kills. In its own process the event loop stays free, a kill ends the query at once, and the
// workspace's memory can be measured and limited: tables, sorts and temporary files all live in
// its memory, and one query over a 30-million-row series grew it by 1 GB in 12 s.

const PROCESS_FILE = "worker/components/sql-workspace-process.mjs";
// How often the workspace's memory is read: a query grows it by ≈ 100 MB a second at most.
const MEMORY_CHECK_MS = 100;

// The empty database a workspace made, kept as a tar file in a folder of this process's own for
// the next ones (written and read by the workspaces, not through this process). Making one (initdb,
// in WebAssembly) takes ≈ 5 s and leaves the workspace at 0.7 GiB; loading the 40 MB file takes ≈ 2 s
// and leaves it at 0.4 GiB.
const FOLDER_PREFIX = "jobdeck-sql-workspace-";
const FOLDER_OWNER = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`);
let folder: string | null = null;

/**
 * This process's folder (private: mkdtemp makes it 0700), removed when the process exits; the
 * folders of processes that are gone (killed, so they never removed theirs) are removed first.
 */
function ownFolder(): string {
  if (folder) return folder;
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(FOLDER_OWNER.exec(name)?.[1]);
    try {
      if (pid && pid !== process.pid && !isRunning(pid)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's: not ours to remove
    }
  }
  const made = mkdtempSync(path.join(os.tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  folder = made;
  return made;
}

/** Where this process's workspaces keep their empty database (null: no temporary folder to keep it in). */
export function emptyDatabaseFile(): string | null {
  try {
    return path.join(ownFolder(), "empty-database.tar");
  } catch {
    return null;
  }
}

/** The process's script: beside the repository's root (the server and workers run from it). */
function processScript(): string {
  const fromRoot = path.join(process.cwd(), PROCESS_FILE);
  if (existsSync(fromRoot)) return fromRoot;
  throw new Error(`The SQL workspace script ${PROCESS_FILE} was not found in ${process.cwd()}: start Jobdeck from its folder.`);
}

type Reply = { id: number; ok: boolean; message?: string; bytes?: Uint8Array };

export class SqlWorkspaceError extends Error {}

export type SqlWorkspace = {
  /** Runs SQL text (several statements allowed); a failure rejects with the database's message. */
  exec(sql: string): Promise<void>;
  /** Creates a table and fills it from CSV bytes with a header line. */
  load(create: string, copy: string, csv: Buffer): Promise<void>;
  /** The CSV bytes a `COPY … TO '/dev/blob'` statement writes. */
  export(copy: string): Promise<Buffer>;
  close(): Promise<void>;
};

/**
 * Opens a workspace that may use `memoryMb` of memory (the process's resident set, PGlite
 * included); past it the process is stopped and what is under way rejects saying so. Aborting
 * `signal` stops the process and rejects what is under way with the signal's reason.
 */
export function openSqlWorkspace(signal: AbortSignal, options: { memoryMb: number }): SqlWorkspace {
  // No environment: nothing of the worker's (its database URL, its secrets) is the workspace's.
  // It dies with this process: in a long query it cannot see its parent go, and would run on with
  // nobody measuring its memory. Not for the bundler to follow: the script runs as it is.
  const [command, ...args] = [...dieWithParentPrefix(), process.execPath, processScript()];
  const child: ChildProcess = spawn(/* turbopackIgnore: true */ command!, args, { env: { NODE_ENV: "production" }, serialization: "advanced", stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();
  let next = 0;
  let ended: unknown = null;
  const endAll = (error: unknown) => {
    ended ??= error;
    for (const { reject } of pending.values()) reject(ended);
    pending.clear();
    clearInterval(watch);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const limitBytes = options.memoryMb * 1024 * 1024;
  const watch = setInterval(() => {
    const rss = child.pid === undefined ? null : residentBytes(child.pid);
    if (rss !== null && rss > limitBytes) endAll(new SqlWorkspaceError(`the workspace used more than its memory limit of ${options.memoryMb} MiB and was stopped (set "runtime.memory_mb" in the configuration for more)`));
  }, MEMORY_CHECK_MS);
  child.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    waiting?.resolve(reply);
  });
  child.on("error", (error) => endAll(new SqlWorkspaceError(`The SQL workspace failed: ${error.message}`)));
  child.on("exit", (code, killedBy) => {
    const last = stderr.trim().split("\n").at(-1);
    endAll(new SqlWorkspaceError(`The SQL workspace stopped (${killedBy ? `signal ${killedBy}` : `exit code ${code}`})${last ? `: ${last}` : ""}.`));
  });
  const onAbort = () => endAll(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });

  const call = (message: Record<string, unknown>): Promise<Reply> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (ended) return Promise.reject(ended);
    const id = next++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, ...message });
    }).then((reply) => {
      if (!reply.ok) throw new SqlWorkspaceError(reply.message ?? "unknown error");
      return reply;
    });
  };

  // From the empty database an earlier workspace kept, or a new one that is then kept.
  const opened = call({ op: "open", file: emptyDatabaseFile() ?? undefined });
  // Nothing waits for it yet: a failure here is the next call's.
  opened.catch(() => undefined);
  const ready = async (message: Record<string, unknown>) => {
    await opened;
    return call(message);
  };

  return {
    exec: async (sql) => void (await ready({ op: "exec", sql })),
    load: async (create, copy, csv) => void (await ready({ op: "load", create, copy, csv: new Uint8Array(csv.buffer, csv.byteOffset, csv.byteLength) })),
    async export(copy) {
      const reply = await ready({ op: "export", copy });
      return Buffer.from(reply.bytes!.buffer, reply.bytes!.byteOffset, reply.bytes!.byteLength);
    },
    async close() {
      signal.removeEventListener("abort", onAbort);
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));
      endAll(new SqlWorkspaceError("The SQL workspace was closed."));
      await exited;
    },
  };
}
