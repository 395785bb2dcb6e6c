// The SQL transformation's workspace, in a worker thread of its own (worker/components/sql-workspace.ts):
// PGlite runs SQL synchronously in WebAssembly, so on the main thread one long query would freeze the
// server's HTTP answers, the worker's heartbeats and its kills. Plain JavaScript: it runs without a build.
import { parentPort } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const workspace = new PGlite();

parentPort.on("message", async ({ id, op, ...args }) => {
  try {
    if (op === "exec") {
      await workspace.exec(args.sql);
      parentPort.postMessage({ id, ok: true });
    } else if (op === "load") {
      await workspace.exec(args.create);
      await workspace.query(args.copy, [], { blob: new Blob([args.csv]) });
      parentPort.postMessage({ id, ok: true });
    } else if (op === "export") {
      const result = await workspace.query(args.copy);
      const bytes = await result.blob.arrayBuffer();
      parentPort.postMessage({ id, ok: true, bytes }, [bytes]);
    } else {
      parentPort.postMessage({ id, ok: false, message: `unknown operation ${op}` });
    }
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
