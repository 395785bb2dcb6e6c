import { PGlite } from "@electric-sql/pglite";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { mappings } from "./config";
import type { TableRef } from "./storage-client";
import { type ComponentDefinition, UserError } from "./types";

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lastPart = (tableId: string) => tableId.split(".").at(-1)!;

/**
 * Runs SQL over input tables in a throwaway in-memory PGlite workspace: the inputs are exported
 * from Storage and copied in, the SQL runs there (it can never reach Jobdeck's own database), and
 * the output tables are copied out and imported into Storage.
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
    const workspace = new PGlite();
    try {
      const read: TableRef[] = [];
      for (const input of inputs) {
        const { table, open } = await storage.readTable(input.source, input.filters);
        read.push(table);
        const columns = table.columns.map((c) => `${q(c.name)} text`).join(", ");
        await workspace.exec(`CREATE TABLE ${q(input.destination)} (${columns})`);
        const blob = new Blob([await buffer(await open())]);
        await workspace.query(`COPY ${q(input.destination)} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob });
        await log(`Loaded ${input.source} as "${input.destination}"`);
        if (signal.aborted) throw signal.reason;
      }
      await log("Running the SQL");
      try {
        await workspace.exec(sql);
      } catch (error) {
        throw new UserError(`SQL failed: ${error instanceof Error ? error.message : error}`);
      }
      const written: TableRef[] = [];
      for (const output of outputs) {
        if (signal.aborted) throw signal.reason;
        let blob: Blob | undefined;
        try {
          const result = await workspace.query(`COPY (SELECT * FROM ${q(output.source)}) TO '/dev/blob' WITH (FORMAT csv, HEADER true)`);
          blob = result.blob;
        } catch (error) {
          throw new UserError(`Output "${output.source}": ${error instanceof Error ? error.message : error}`);
        }
        const file = await storage.saveFile(`${output.source}.csv`, Readable.from(Buffer.from(await blob!.arrayBuffer())), ["sql-transformation"]);
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
