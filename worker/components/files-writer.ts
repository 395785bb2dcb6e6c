import { inputTableMappings, textList } from "./config";
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
    // `tables: ["in.c-b.t"]`, or Keboola's `storage.input.tables[]` (with its filters).
    const tables =
      configuration.tables === undefined && configuration.storage !== undefined
        ? inputTableMappings(configuration, { defaultDestination: (source) => `${source}.csv` })
        : textList(configuration, "tables").map((source) => ({ source, filters: undefined }));
    const read: TableRef[] = [];
    for (const { source: tableId, filters } of tables) {
      const { table, file } = await storage.readTable(tableId, filters);
      read.push(table);
      await log(`Wrote ${tableId} to file ${file.id} (${file.sizeBytes} bytes)`);
    }
    return { message: `Wrote ${tables.length} table(s) to files`, input: read };
  },
};
