import "server-only";
// Files in an S3-compatible object store (AWS S3, MinIO, R2, Ceph), through the AWS SDK: streamed,
// multipart past one part, and aborted (nothing left under the key) when the bytes fail midway.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { pipeline, type Readable } from "node:stream";
import type { S3Config } from "@/lib/env";
import type { ClientCredentials, DirectAccessStore, PutOptions, StoredObject } from "@/lib/storage/files/file-store";
import { FileWriteError } from "@/lib/storage/files/fs-errors";
import { byteMeter, FileSizeMismatchError, FileTooLargeError } from "@/lib/storage/files/meter";

// 16 MiB parts, 4 in flight: at most 64 MiB of one upload in memory.
const PART_BYTES = 16 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
// How long handed-out static keys are said to last (they do not expire: see SECURITY.md).
const CREDENTIALS_SECONDS = 3600;

export class S3FileStore implements DirectAccessStore {
  readonly kind = "s3";
  readonly bucket: string;
  readonly region: string;
  readonly client: S3Client;

  constructor(private readonly config: S3Config) {
    this.bucket = config.bucket;
    this.region = config.region;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // Checksums only where S3 requires them: MinIO, R2 and older stores refuse the newer defaults.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async put(key: string, source: Readable, options: PutOptions) {
    const meter = byteMeter(options);
    const body = pipeline(source, meter.stream, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ...(options.contentType && { ContentType: options.contentType }) },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      await upload.abort().catch(() => undefined);
      // The bytes' own failure (too large, the client went away) wins over the SDK's echo of it.
      const cause = meter.stream.errored ?? source.errored ?? error;
      if (cause instanceof FileTooLargeError || cause instanceof FileSizeMismatchError) throw cause;
      if (source.errored) throw source.errored;
      throw new FileWriteError("fileWriteFailed", `Could not write the file: the object store refused it (${describe(error)}).`, error);
    }
    return meter.result();
  }

  async get(key: string) {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { stream: answer.Body as Readable, size: Number(answer.ContentLength ?? 0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw unavailable(error);
    }
  }

  async stat(key: string) {
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(answer.ContentLength ?? 0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw unavailable(error);
    }
  }

  async delete(key: string) {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw unavailable(error);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, size: Number(o.Size ?? 0), modified: o.LastModified ?? new Date(0) };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  presignGet(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string> {
    const disposition = options.fileName && `attachment; filename="${options.fileName.replace(/[^\x20-\x7e]|["\\]/g, "_")}"`;
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(disposition && { ResponseContentDisposition: disposition }) }), {
      expiresIn: options.expiresInSeconds,
    });
  }

  /**
   * The keys a Keboola client gets to upload and download directly (its "federation token"). S3
   * hands out scoped temporary keys through STS; stores without STS (s3rver, a MinIO without it)
   * cannot, so these are the keys Jobdeck itself uses, or the SDK chain's (an instance role's
   * temporary keys carry their own session token and expiry). SECURITY.md says what that means.
   */
  async clientCredentials(): Promise<ClientCredentials> {
    const own = await this.client.config.credentials();
    const expires = own.expiration ?? new Date(Date.now() + CREDENTIALS_SECONDS * 1000);
    return { AccessKeyId: own.accessKeyId, SecretAccessKey: own.secretAccessKey, SessionToken: own.sessionToken ?? "", Expiration: expires.toISOString() };
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === "NoSuchKey" || error.name === "NotFound");
}

function describe(error: unknown): string {
  if (error instanceof S3ServiceException) return `${error.name}, HTTP ${error.$metadata.httpStatusCode ?? "?"}`;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code ?? (error instanceof Error ? error.message.slice(0, 200) : "unknown error");
}

/** The store did not answer, or refused: 503 for the caller, with the reason. */
export class FileStoreUnavailableError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = "FileStoreUnavailableError";
  }
}

function unavailable(error: unknown): FileStoreUnavailableError {
  return new FileStoreUnavailableError(`The object store that holds Jobdeck's files did not answer as expected (${describe(error)}).`, error);
}
