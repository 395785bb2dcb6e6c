import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableOperation } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input: null,
    start: ({ runId, reservation }) => requestTableOperation({ db: db(), auth, runId, reservation, tableId: params.tableId, operationName: "tableSnapshotCreate" }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
