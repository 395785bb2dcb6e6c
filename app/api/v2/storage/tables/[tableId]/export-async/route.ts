import type { NextRequest } from "next/server";
import { otherMethods, queryObject, readBody, withAuth, zodToApiError } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { exportAsyncSchema } from "@/lib/schemas/storage";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableExport } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

/** Exports a table to a File in Keboola's format (no header, every value quoted, `gzip=1` gzipped). */
export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const input = await readExportRequest(request);
  const { gzip, ...filters } = input;
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input,
    start: ({ runId, reservation }) => requestTableExport({ db: db(), auth, runId, reservation, tableId: params.tableId, filters, file: { gzip: gzip === true } }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);

/** The body (JSON or a form, lib/api/handler.ts), or the query string when there is no body. */
async function readExportRequest(request: NextRequest) {
  if (request.nextUrl.searchParams.size > 0 && !request.body) {
    const parsed = exportAsyncSchema.safeParse(queryObject(request.nextUrl.searchParams));
    if (!parsed.success) throw zodToApiError(parsed.error);
    return parsed.data;
  }
  return readBody(request, exportAsyncSchema);
}
