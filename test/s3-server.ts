// A real S3-protocol server (s3rver) for tests and for running Keboola's client suite: started on a
// free port over a temporary folder, stopped (and the folder removed) by `stop`.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import type { S3Config } from "@/lib/env";

export type S3TestServer = { endpoint: string; config: S3Config; env: Record<string, string>; stop(): Promise<void> };

// s3rver's one account.
export const S3RVER_KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export async function startS3Server(options: { bucket?: string; port?: number } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? "jobdeck-test";
  const directory = mkdtempSync(path.join(os.tmpdir(), "jobdeck-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: options.port ?? 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const config: S3Config = { endpoint, bucket, region: "us-east-1", credentials: S3RVER_KEYS, forcePathStyle: true };
  return {
    endpoint,
    config,
    // What a Jobdeck process (npm start, npm run worker) needs to use it.
    env: {
      JOBDECK_S3_ENDPOINT: endpoint,
      JOBDECK_S3_BUCKET: bucket,
      JOBDECK_S3_REGION: "us-east-1",
      JOBDECK_S3_ACCESS_KEY_ID: S3RVER_KEYS.accessKeyId,
      JOBDECK_S3_SECRET_ACCESS_KEY: S3RVER_KEYS.secretAccessKey,
      JOBDECK_S3_FORCE_PATH_STYLE: "1",
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
