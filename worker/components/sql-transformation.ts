import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { mappings } from "./config";
import { openSqlWorkspace, SqlWorkspaceError } from "./sql-workspace";
import type { TableRef } from "./storage-client";
import { type ComponentDefinition, UserError } from "./types";
import { runLimits } from "@/worker/runtime/settings";

// PGlite alone takes ≈ 0.7 GiB once its database is made: 2 GiB leaves over 1 GiB to the SQL.
const WORKSPACE_MEMORY_MB = 2048;

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lastPart = (tableId: string) => tableId.split(".").at(-1)!;

/**
 * Runs SQL over input tables in a throwaway in-memory PGlite workspace: the inputs are exported
 * from Storage and copied in, the SQL runs there (it can never reach Jobdeck's own database), and
 * the output tables are copied out and imported into Storage. The workspace runs in a process of its
 * own (sql-workspace.ts): a long query never holds the server's or the worker's event loop, a kill
 * ends it mid-query, and it is stopped past its memory limit.
 */
export const sqlTransformation: ComponentDefinition = {
  id: "jobdeck.sql-transformation",
  name: "SQL Transformation",
  type: "transformation",
  runtime: "sql",
  description: "Runs SQL over input tables in an isolated workspace and writes the output tables to Storage.",
  async run({ configuration, signal, log, storage }) {
    const inputs = mappings(configuration, "input", lastPart);
    const outputs = mappings(configuration, "output", lastPart);
    const sql = Array.isArray(configuration.sql) ? configuration.sql.join(";\n") : configuration.sql;
    if (typeof sql !== "string" || sql.trim() === "") throw new UserError('Configuration "sql" must be SQL text or a list of statements.');
    // The workspace's memory limit is set as a process component's, by `runtime.memory_mb`.
    const workspace = openSqlWorkspace(signal, { memoryMb: runLimits({ memoryMb: WORKSPACE_MEMORY_MB }, configuration).memoryMb });
    try {
      const read: TableRef[] = [];
      for (const input of inputs) {
        const { table, open } = await storage.readTable(input.source, input.filters);
        read.push(table);
        const columns = table.columns.map((c) => `${q(c.name)} text`).join(", ");
        await workspace.load(
          `CREATE TABLE ${q(input.destination)} (${columns})`,
          `COPY ${q(input.destination)} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
          await buffer(await open()),
        );
        await log(`Loaded ${input.source} as "${input.destination}"`);
        if (signal.aborted) throw signal.reason;
      }
      await log("Running the SQL");
      try {
        await workspace.exec(sql);
      } catch (error) {
        if (!(error instanceof SqlWorkspaceError)) throw error;
        throw new UserError(`SQL failed: ${error.message}`);
      }
      const written: TableRef[] = [];
      for (const output of outputs) {
        if (signal.aborted) throw signal.reason;
        let csv: Buffer;
        try {
          csv = await workspace.export(`COPY (SELECT * FROM ${q(output.source)}) TO '/dev/blob' WITH (FORMAT csv, HEADER true)`);
        } catch (error) {
          if (!(error instanceof SqlWorkspaceError)) throw error;
          throw new UserError(`Output "${output.source}": ${error.message}`);
        }
        const file = await storage.saveFile(`${output.source}.csv`, Readable.from(csv), ["sql-transformation"]);
        const table = await storage.writeTable(output.destination, file, { incremental: output.incremental, primaryKey: output.primaryKey });
        if (table) {
          written.push(table);
          await log(`Imported table ${table.id} (${table.bytes} bytes) into Storage`);
        }
      }
      return { message: `Ran ${inputs.length} input(s) through the SQL into ${outputs.length} output(s)`, input: read, output: written };
    } finally {
      await workspace.close();
    }
  },
};
