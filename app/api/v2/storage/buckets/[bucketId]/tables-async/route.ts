import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createTableAsyncSchema } from "@/lib/schemas/storage";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableCreate } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ bucketId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const input = await readJson(request, createTableAsyncSchema);
  const job = await requestTableCreate({ db: db(), auth, runId, bucketId: params.bucketId, input });
  return acceptedStorageJob(job, origin);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
