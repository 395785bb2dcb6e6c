import { textList } from "./config";
import type { TableRef } from "./storage-client";
import type { ComponentDefinition } from "./types";

/** Exports Storage tables to Files (CSV), one Storage export job each. */
export const filesWriter: ComponentDefinition = {
  id: "jobdeck.wr-files",
  name: "CSV Files Writer",
  type: "writer",
  runtime: null,
  description: "Exports Storage tables to CSV files in File Uploads.",
  async run({ configuration, log, storage }) {
    const tables = textList(configuration, "tables");
    const read: TableRef[] = [];
    for (const tableId of tables) {
      const { table, file } = await storage.readTable(tableId);
      read.push(table);
      await log(`Wrote ${tableId} to file ${file.id} (${file.sizeBytes} bytes)`);
    }
    return { message: `Wrote ${tables.length} table(s) to files`, input: read };
  },
};
