import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

// A throwaway PGlite database in a worker thread (sql-workspace-thread.mjs). PGlite's SQL runs
// synchronously in WebAssembly: on the main thread a query over millions of rows froze the server's
// answers, the worker's heartbeats (its jobs were taken back while still running) and kills. In a
// thread the event loop stays free, and a kill ends the thread at once, mid-query.

const THREAD_FILE = "worker/components/sql-workspace-thread.mjs";

/** The thread's script: beside the repository's root (the server and workers run from it). */
function threadScript(): string {
  const fromRoot = path.join(process.cwd(), THREAD_FILE);
  if (existsSync(fromRoot)) return fromRoot;
  throw new Error(`The SQL workspace script ${THREAD_FILE} was not found in ${process.cwd()}: start Jobdeck from its folder.`);
}

type Reply = { id: number; ok: boolean; message?: string; bytes?: ArrayBuffer };

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

/** Opens a workspace; aborting `signal` ends its thread and rejects what is under way with the signal's reason. */
export function openSqlWorkspace(signal: AbortSignal): SqlWorkspace {
  const thread = new Worker(threadScript());
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();
  let next = 0;
  let ended: unknown = null;
  const endAll = (error: unknown) => {
    ended ??= error;
    for (const { reject } of pending.values()) reject(ended);
    pending.clear();
  };
  thread.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    waiting?.resolve(reply);
  });
  thread.on("error", (error) => endAll(new SqlWorkspaceError(`The SQL workspace failed: ${error.message}`)));
  thread.on("exit", (code) => endAll(new SqlWorkspaceError(`The SQL workspace stopped (exit code ${code}).`)));
  const onAbort = () => {
    endAll(signal.reason);
    void thread.terminate();
  };
  signal.addEventListener("abort", onAbort, { once: true });

  const call = (message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (ended) return Promise.reject(ended);
    const id = next++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.postMessage({ id, ...message }, transfer);
    }).then((reply) => {
      if (!reply.ok) throw new SqlWorkspaceError(reply.message ?? "unknown error");
      return reply;
    });
  };

  return {
    exec: async (sql) => void (await call({ op: "exec", sql })),
    async load(create, copy, csv) {
      // Copied into a buffer of its own so that it can be handed to the thread without a second copy.
      const bytes = new Uint8Array(csv).buffer;
      await call({ op: "load", create, copy, csv: bytes }, [bytes]);
    },
    async export(copy) {
      const reply = await call({ op: "export", copy });
      return Buffer.from(reply.bytes!);
    },
    async close() {
      signal.removeEventListener("abort", onAbort);
      endAll(new SqlWorkspaceError("The SQL workspace was closed."));
      await thread.terminate();
    },
  };
}
