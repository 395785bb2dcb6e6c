import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createTableAsyncSchema } from "@/lib/schemas/storage";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableCreate } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ bucketId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const input = await readBody(request, createTableAsyncSchema);
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input,
    start: ({ runId, reservation }) => requestTableCreate({ db: db(), auth, runId, reservation, bucketId: params.bucketId, input }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
