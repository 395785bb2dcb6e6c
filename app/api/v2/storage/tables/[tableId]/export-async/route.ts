import type { NextRequest } from "next/server";
import { otherMethods, queryObject, readJson, withAuth, zodToApiError } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { badRequest } from "@/lib/errors";
import { exportAsyncSchema } from "@/lib/schemas/storage";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableExport } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";

export const POST = withAuth<{ tableId: string }>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const filters = await readFilters(request);
  const job = await requestTableExport({ db: db(), auth, runId, tableId: params.tableId, filters });
  return acceptedStorageJob(job, origin);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);

/** The filters as Keboola's clients send them: a form body (`whereValues[]=`), JSON, or the query string. */
async function readFilters(request: NextRequest) {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) {
    if (request.nextUrl.searchParams.size > 0 && !request.body) return parse(queryObject(request.nextUrl.searchParams));
    return readJson(request, exportAsyncSchema);
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw badRequest("malformedForm", "The request body is not a valid form.");
  }
  const fields = new URLSearchParams(request.nextUrl.searchParams);
  for (const [key, value] of form) if (typeof value === "string") fields.append(key, value);
  return parse(queryObject(fields));
}

function parse(value: unknown) {
  const parsed = exportAsyncSchema.safeParse(value);
  if (!parsed.success) throw zodToApiError(parsed.error);
  return parsed.data;
}
