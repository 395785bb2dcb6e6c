import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { importAsyncSchema } from "@/lib/schemas/storage";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableImport } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const input = await readJson(request, importAsyncSchema);
  const job = await requestTableImport({ db: db(), auth, runId, tableId: params.tableId, input });
  return acceptedStorageJob(job, origin);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
