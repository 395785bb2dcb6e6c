// The SQL transformation's workspace, in a process of its own (worker/components/sql-workspace.ts):
// PGlite runs SQL synchronously in WebAssembly, so in the worker one long query would freeze the
// server's HTTP answers, the worker's heartbeats and its kills; and its memory (tables, sorts,
// temporary files, all in memory) is the process's own, which its parent measures and limits.
// Plain JavaScript: it runs without a build.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";

let workspace = null;
// The parent is gone (its worker crashed): nobody will read an answer.
process.on("disconnect", () => process.exit(0));

process.on("message", async ({ id, op, ...args }) => {
  try {
    if (op === "open") {
      // From the empty database an earlier workspace kept in `file`, or a new one (initdb: seconds),
      // which is then kept there, as it is before any SQL ran, for the next workspaces.
      let kept = null;
      try {
        kept = args.file ? readFileSync(args.file) : null;
      } catch {
        // not made yet, or gone (a cleaned temporary folder): make a new one
      }
      workspace = kept ? new PGlite({ loadDataDir: new Blob([kept]) }) : new PGlite();
      await workspace.waitReady;
      if (!kept && args.file) {
        try {
          const tar = Buffer.from(await (await workspace.dumpDataDir("none")).arrayBuffer());
          const partial = `${args.file}.${process.pid}.partial`;
          writeFileSync(partial, tar);
          renameSync(partial, args.file);
        } catch {
          // no room to keep it (a full disk, the folder gone): the next workspace makes its own
        }
      }
      process.send({ id, ok: true });
    } else if (op === "exec") {
      await workspace.exec(args.sql);
      process.send({ id, ok: true });
    } else if (op === "load") {
      await workspace.exec(args.create);
      await workspace.query(args.copy, [], { blob: new Blob([args.csv]) });
      process.send({ id, ok: true });
    } else if (op === "export") {
      const result = await workspace.query(args.copy);
      process.send({ id, ok: true, bytes: new Uint8Array(await result.blob.arrayBuffer()) });
    } else {
      process.send({ id, ok: false, message: `unknown operation ${op}` });
    }
  } catch (error) {
    process.send({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
