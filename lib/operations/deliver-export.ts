import "server-only";
// export_to_s3: after the tableExport Storage job has written its File, the bytes are copied to the
// S3 object the request named. The request's secret key travels in the job encrypted (lib/secrets).
import { Upload } from "@aws-sdk/lib-storage";
import { decryptValue, encryptValue } from "@/lib/secrets/secrets";
import type { S3ObjectInput } from "@/lib/schemas/operations";
import { s3ClientFor } from "@/lib/operations/sources";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { StorageJobError } from "@/lib/storage/jobs/storage-job-error";
import type { OperationContext, OperationOutcome } from "@/lib/storage/operations/context";

/** What an export_to_s3 job carries in its operationParams. */
export type DeliverTo = { bucket: string; key: string; region?: string; endpoint?: string; accessKeyId?: string; "#secretAccessKey"?: string };

export function deliverToParams(input: S3ObjectInput, projectId: number): DeliverTo {
  return {
    bucket: input.bucket,
    key: input.key,
    ...(input.region && { region: input.region }),
    ...(input.endpoint && { endpoint: input.endpoint }),
    ...(input.aws_access_key_id && { accessKeyId: input.aws_access_key_id, "#secretAccessKey": encryptValue(input.aws_secret_access_key!, projectId) }),
  };
}

/** Copies an export's File to its S3 destination, when the job asks for one. */
export async function deliverExport(ctx: OperationContext, outcome: OperationOutcome): Promise<OperationOutcome> {
  const to = (ctx.job.operationParams as { deliverTo?: DeliverTo } | null)?.deliverTo;
  if (!to) return outcome;
  const fileId = (outcome.results as { file?: { id: string } }).file?.id;
  const file = fileId ? await ctx.db.file.findUnique({ where: { id: BigInt(fileId) } }) : null;
  if (!file) throw new StorageJobError("fileNotFound", "The export's file is gone before it could be copied to S3.");
  const secret = to["#secretAccessKey"] ? decryptValue(to["#secretAccessKey"], ctx.job.projectId) : undefined;
  const client = s3ClientFor({ bucket: to.bucket, key: to.key, region: to.region, endpoint: to.endpoint, aws_access_key_id: to.accessKeyId, aws_secret_access_key: secret });
  const { stream } = await openStoredFile({ storagePath: file.storagePath, store: ctx.files });
  try {
    await new Upload({ client, params: { Bucket: to.bucket, Key: to.key, Body: stream, ContentType: "text/csv" }, leavePartsOnError: false }).done();
  } catch (error) {
    const name = (error as Error).name ?? "error";
    throw new StorageJobError("s3WriteFailed", `Exported ${file.sizeBytes} bytes, but could not write s3://${to.bucket}/${to.key.slice(0, 200)}: ${name}.`);
  }
  return { ...outcome, results: { ...outcome.results, s3: { bucket: to.bucket, key: to.key } }, message: `${outcome.message}, copied to s3://${to.bucket}/${to.key.slice(0, 200)}` };
}
