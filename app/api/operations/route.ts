import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { forbidden } from "@/lib/errors";
import { runHarperOperation } from "@/lib/operations/run-operation";
import { operationSchema } from "@/lib/schemas/operations";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";

/** HarperDB-style operations; the ones that start a job answer 202, reads 200. Reads need only "read". */
export const POST = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const input = await readJson(request, operationSchema);
  if (input.operation !== "get_job" && input.operation !== "search_jobs_by_start_date" && auth.permission !== "manage") {
    throw forbidden("This token may only read; starting a job needs a token that can manage jobs.");
  }
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const answer = await runHarperOperation({ db: db(), auth, input, origin, runId });
  return NextResponse.json(answer, { status: Array.isArray(answer) ? 200 : 202 });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
