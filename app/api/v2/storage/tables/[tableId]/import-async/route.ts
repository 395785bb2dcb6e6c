import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { importAsyncSchema } from "@/lib/schemas/storage";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableImport } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const input = await readBody(request, importAsyncSchema);
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input,
    start: ({ runId, reservation }) => requestTableImport({ db: db(), auth, runId, reservation, tableId: params.tableId, input }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
