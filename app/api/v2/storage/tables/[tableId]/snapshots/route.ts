import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableOperation } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const job = await requestTableOperation({ db: db(), auth, runId, tableId: params.tableId, operationName: "tableSnapshotCreate" });
  return acceptedStorageJob(job, origin);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
