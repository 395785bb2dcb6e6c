import { Readable } from "node:stream";
import { env } from "@/lib/env";
import { outboundFetch, outboundPolicy, OutboundRefusedError } from "@/lib/net/outbound";
import { flag, outputTableMappings, text, textList } from "./config";
import { type ComponentDefinition, UserError } from "./types";

/** Downloads a CSV over HTTP(S) into a Storage table. Relative URLs are this server's own. */
export const csvExtractor: ComponentDefinition = {
  id: "keboola.ex-http",
  name: "HTTP CSV Extractor",
  type: "extractor",
  runtime: null,
  description: "Downloads a CSV file over HTTP(S) into a Storage table.",
  async run({ configuration, signal, log, storage }) {
    const url = new URL(text(configuration, "url"), `${env.publicUrl}/`);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UserError(`Only http and https URLs can be downloaded, not ${url.protocol}`);
    // `table` (+ `incremental`, `primaryKey`), or the first of Keboola's `storage.output.tables[]`.
    const mapped = configuration.table === undefined ? outputTableMappings(configuration)[0] : undefined;
    const tableId = mapped ? mapped.destination : text(configuration, "table");
    const incremental = mapped?.incremental ?? flag(configuration, "incremental");
    const primaryKey = mapped?.primaryKey ?? textList(configuration, "primaryKey", { optional: true });
    await log(`Downloading ${url.href}`);
    let response: Response;
    try {
      // Through the guard: no loopback, private or metadata address, after DNS and on every redirect.
      response = await outboundFetch(url, { signal, policy: outboundPolicy("components") });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof OutboundRefusedError) {
        throw new UserError(`Could not download ${url.href}: ${error.reason}. Ask the operator to allow the host in JOBDECK_OUTBOUND_ALLOW_HOSTS if it is meant to be reached.`);
      }
      throw new UserError(`Could not download ${url.href}: ${error instanceof Error ? (error.cause as Error)?.message ?? error.message : error}`);
    }
    if (!response.ok || !response.body) throw new UserError(`Downloading ${url.href} answered HTTP ${response.status}.`);
    const file = await storage.saveFile(url.pathname.split("/").pop() || "download.csv", Readable.fromWeb(response.body as never), ["ex-http"]);
    await log(`Downloaded ${file.sizeBytes} bytes into file ${file.id}`);
    const table = await storage.writeTable(tableId, file, { incremental, primaryKey });
    if (table) await log(`Imported table ${table.id} (${table.bytes} bytes) into Storage`, "success");
    return { message: table ? `Imported ${table.id}` : `Debug run: ${url.href} kept as file ${file.id}`, output: table ? [table] : [] };
  },
};
