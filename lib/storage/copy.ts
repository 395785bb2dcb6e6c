import "server-only";
// COPY, the database's own bulk path, for Storage's imports and exports: Prisma's raw queries
// cannot stream COPY, so these run on the driver underneath (lib/db.ts#driverOf).
//   PostgreSQL: a connection of its own per COPY, streamed with pg-copy-streams (backpressure both ways).
//   PGlite: COPY from and to its virtual /dev/blob, in bounded chunks (a Blob is whole in memory).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { DbDriver } from "@/lib/db";

// PGlite takes one Blob per COPY statement: this much COPY input, or output, at a time.
export const PGLITE_COPY_BYTES = 8 * 1024 * 1024;

// Names the COPY connections in pg_stat_activity.
export const COPY_APPLICATION_NAME = "jobdeck copy";

/**
 * A connection of its own for one COPY. The database going away while no statement runs on it (a
 * restart between two export slices) is emitted as an 'error' event, which would end the process
 * with nobody listening: it is kept, and the operation fails with it at its next step.
 */
async function connect(url: string): Promise<{ client: pg.Client; lost: () => Error | null }> {
  let lost: Error | null = null;
  const client = new pg.Client({ connectionString: url, application_name: COPY_APPLICATION_NAME });
  client.on("error", (error) => (lost ??= error));
  await client.connect();
  return { client, lost: () => lost };
}

/**
 * Runs `COPY <target> FROM STDIN <options>` over `input` (whole records per chunk). On PGlite each
 * chunk of up to PGLITE_COPY_BYTES is a COPY of its own, so `target` should be a staging table
 * that is thrown away if any fails. An error of `input` (a bad row) aborts the COPY.
 */
export async function copyIn(driver: DbDriver, options: { target: string; options: string; input: AsyncIterable<Buffer> }): Promise<void> {
  if (driver.kind === "postgresql") {
    const { client } = await connect(driver.url);
    try {
      await pipeline(Readable.from(options.input, { objectMode: false }), client.query(copyFrom(`COPY ${options.target} FROM STDIN ${options.options}`)));
    } finally {
      await client.end().catch(() => undefined);
    }
    return;
  }
  const sql = `COPY ${options.target} FROM '/dev/blob' ${options.options}`;
  let parts: Buffer[] = [];
  let bytes = 0;
  const flush = async () => {
    if (bytes === 0) return;
    const blob = new Blob(parts as Uint8Array<ArrayBuffer>[]);
    parts = [];
    bytes = 0;
    await driver.pglite.query(sql, [], { blob });
  };
  for await (const chunk of options.input) {
    parts.push(chunk);
    bytes += chunk.length;
    if (bytes >= PGLITE_COPY_BYTES) await flush();
  }
  await flush();
}

/**
 * `COPY (<query>) TO STDOUT <options>` as a stream of bytes; `rows()` is the row count once the
 * stream has ended. On PGlite `queries` are run one after another, each a bounded slice of the
 * result (its output is one Blob), and their outputs follow each other in the stream.
 */
export function copyOut(driver: DbDriver, options: { queries: () => AsyncIterable<string>; options: string }): { stream: Readable; rows: () => number } {
  let rows = 0;
  if (driver.kind === "postgresql") {
    const stream = Readable.from(
      (async function* () {
        const { client, lost } = await connect(driver.url);
        try {
          for await (const query of options.queries()) {
            const error = lost();
            if (error) throw new Error(`the database connection of the export was lost: ${error.message}`, { cause: error });
            const out = client.query(copyTo(`COPY (${query}) TO STDOUT ${options.options}`));
            for await (const chunk of out) yield chunk as Buffer;
            rows += out.rowCount;
          }
        } finally {
          await client.end().catch(() => undefined);
        }
      })(),
      { objectMode: false },
    );
    return { stream, rows: () => rows };
  }
  const stream = Readable.from(
    (async function* () {
      for await (const query of options.queries()) {
        const result = await driver.pglite.query(`COPY (${query}) TO '/dev/blob' ${options.options}`);
        rows += result.affectedRows ?? 0;
        if (result.blob && result.blob.size > 0) yield Buffer.from(await result.blob.arrayBuffer());
      }
    })(),
    { objectMode: false },
  );
  return { stream, rows: () => rows };
}
