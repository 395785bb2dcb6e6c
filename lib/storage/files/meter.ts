// Counts and hashes bytes on their way to a store, and stops them past a limit or a prepared size.
import { createHash } from "node:crypto";
import { Transform } from "node:stream";

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
    this.name = "FileTooLargeError";
  }
}

export class FileSizeMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`The upload has ${actual > expected ? `more than ${expected}` : actual} bytes where ${expected} were prepared.`);
    this.name = "FileSizeMismatchError";
  }
}

export function byteMeter(options: { maxBytes: number; expectedSize?: number }) {
  let size = 0;
  const hash = createHash("sha256");
  const { maxBytes, expectedSize } = options;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) return callback(new FileTooLargeError(maxBytes));
      if (expectedSize !== undefined && size > expectedSize) return callback(new FileSizeMismatchError(expectedSize, size));
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      // Short of the prepared size: an error, so that the store never completes the write.
      callback(expectedSize !== undefined && size !== expectedSize ? new FileSizeMismatchError(expectedSize, size) : null);
    },
  });
  return { stream, result: () => ({ sizeBytes: BigInt(size), sha256: hash.digest("hex") }) };
}
