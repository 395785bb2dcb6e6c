import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteBucketSchema } from "@/lib/schemas/storage";
import { deleteBucket, getBucket, requestBucketDelete } from "@/lib/storage/buckets";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

type Params = { bucketId: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params, origin }) =>
  NextResponse.json(await getBucket({ db: db(), projectId: auth.projectId, bucketId: params.bucketId, origin }), { headers: { "Cache-Control": "no-store" } }),
);

/**
 * Keboola's bucket delete: an empty bucket, or with `force=true` its tables too; `async=true`
 * answers 202 with a bucketDelete Storage job, otherwise 204 once it is gone.
 */
export const DELETE = withAuth<Params>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const { force, async } = parseQuery(request, deleteBucketSchema);
  if (async) {
    const { job, replayed } = await startStorageJob({
      request,
      db: db(),
      auth,
      input: { force },
      start: ({ runId, reservation }) => requestBucketDelete({ db: db(), auth, runId, reservation, bucketId: params.bucketId, force }),
    });
    return acceptedStorageJob(job, origin, replayed);
  }
  await deleteBucket({ db: db(), projectId: auth.projectId, bucketId: params.bucketId, force });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
