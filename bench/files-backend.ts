// Files backend benchmark: write and read one large file through the local folder and through the
// S3 backend (against s3rver, a real S3-protocol server started here). Prints MB/s of each.
//   npm run bench:files -- [--mb 100] [--runs 2]
// Not part of the tests. s3rver keeps objects in files on this disk, so the S3 figures are what the
// protocol, signing and multipart cost over loopback, not what a real store would give.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import type { FileStore } from "@/lib/storage/files/file-store";
import { LocalFileStore } from "@/lib/storage/files/local-file-store";
import { S3FileStore } from "@/lib/storage/files/s3-file-store";
import { startS3Server } from "@/test/s3-server";

const { values: args } = parseArgs({ options: { mb: { type: "string", default: "100" }, runs: { type: "string", default: "2" } } });
const mb = Number(args.mb);
const chunk = Buffer.alloc(1024 * 1024, "0123456789abcdef,\n");

function source(): Readable {
  let left = mb;
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
}

async function measure(name: string, store: FileStore) {
  for (let run = 1; run <= Number(args.runs); run++) {
    const key = `1/2026-01/00000000-0000-4000-8000-${String(run).padStart(12, "0")}`;
    let t = performance.now();
    const written = await store.put(key, source(), { maxBytes: 1024 ** 4 });
    const putSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const found = await store.get(key);
    let bytes = 0;
    for await (const piece of found!.stream) bytes += (piece as Buffer).length;
    const getSeconds = (performance.now() - t) / 1000;
    if (bytes !== Number(written.sizeBytes)) throw new Error(`read ${bytes} bytes of ${written.sizeBytes}`);
    await store.delete(key);
    console.log(`${name.padEnd(6)} run ${run}: upload ${(mb / putSeconds).toFixed(0)} MB/s, download ${(mb / getSeconds).toFixed(0)} MB/s (${mb} MB)`);
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-bench-files-"));
const s3 = await startS3Server();
try {
  await measure("local", new LocalFileStore(dir));
  await measure("s3", new S3FileStore(s3.config));
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
