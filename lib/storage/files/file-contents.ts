import "server-only";
// A File's contents as its readers take them: an import stages them, the download sends them.
// Gzip bytes are decompressed on the fly, and a sliced File is its slices one after another.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Db } from "@/lib/db";
import type { File } from "@/lib/generated/prisma/client";
import type { FileStore } from "@/lib/storage/files/file-store";
import { resolveSlices } from "@/lib/storage/files/sliced-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";

const LF = 0x0a;
const CR = 0x0d;

/** The file's bytes, decompressed on the fly when they are gzip (Keboola accepts `.csv.gz` uploads). */
export function decompressed(stream: Readable): Readable {
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return Readable.from(
    (async function* () {
      const first = await source.next();
      if (first.done) return;
      const rest = async function* () {
        yield first.value;
        for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
      };
      if (first.value.length < 2 || first.value[0] !== 0x1f || first.value[1] !== 0x8b) return yield* rest();
      const gunzip = createGunzip();
      const compressed = Readable.from(rest(), { objectMode: false });
      compressed.on("error", (error) => gunzip.destroy(error));
      compressed.pipe(gunzip);
      try {
        for await (const chunk of gunzip) yield chunk as Buffer;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code?.startsWith("Z_")) {
          throw new StorageJobError("invalidGzip", "The file starts like a gzip file but cannot be decompressed (is it truncated?).");
        }
        throw error;
      } finally {
        compressed.destroy();
      }
    })(),
    { objectMode: false },
  ).on("close", () => stream.destroy());
}

/** One slice of a sliced File, its bytes decompressed. */
export type SlicePart = { index: number; name: string; stream: Readable };

/** A sliced File's slices, to iterate once; close() ends the one being read and the rest unopened. */
export type Slices = AsyncIterable<SlicePart> & { close(): void };

/**
 * A sliced file's slices in the manifest's order, each decompressed on its own (a slice may be
 * gzip) and opened only when the one before has been taken. Every slice is checked to be there
 * before the first is given (StorageJobError "invalidSlice" or "invalidManifest" otherwise); one
 * deleted meanwhile ends the slices in "invalidSlice".
 */
export async function openSlices(options: { db: Db; file: File; store: FileStore }): Promise<Slices> {
  const slices = await resolveSlices(options);
  let current: Readable | null = null;
  const parts = (async function* () {
    for (const [index, slice] of slices.entries()) {
      const found = await options.store.get(slice.key);
      if (!found) throw new StorageJobError("invalidSlice", `Slice ${index + 1} of the sliced file's manifest (${slice.url.slice(0, 200)}) has no contents in Jobdeck's file store (it was deleted).`);
      current = decompressed(found.stream);
      yield { index, name: slice.name, stream: current };
    }
  })();
  return {
    [Symbol.asyncIterator]: () => parts,
    close: () => {
      current?.destroy();
      void parts.return(undefined);
    },
  };
}

/**
 * A sliced file's slices one after another as one stream (openSlices), read a slice at a time,
 * never held whole. A slice that does not end in a line break gets one, so that its last record
 * does not run into the next slice's first.
 */
export async function openSlicedContents(options: { db: Db; file: File; store: FileStore }): Promise<Readable> {
  const slices = await openSlices(options);
  return Readable.from(
    (async function* () {
      for await (const slice of slices) {
        let last = LF;
        for await (const chunk of slice.stream as AsyncIterable<Buffer>) {
          if (chunk.length === 0) continue;
          last = chunk[chunk.length - 1]!;
          yield chunk;
        }
        if (last !== LF && last !== CR) yield Buffer.from([LF]);
      }
    })(),
    { objectMode: false },
  ).on("close", () => slices.close());
}
