import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteRowsSchema } from "@/lib/schemas/storage";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestRowsDelete } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

/** Deletes rows asynchronously, filtered as Keboola's `whereColumn` / `whereValues[]` query. */
export const DELETE = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const input = parseQuery(request, deleteRowsSchema);
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input,
    start: ({ runId, reservation }) => requestRowsDelete({ db: db(), auth, runId, reservation, tableId: params.tableId, input }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { GET, POST, PUT, PATCH } = otherMethods(["DELETE"]);
