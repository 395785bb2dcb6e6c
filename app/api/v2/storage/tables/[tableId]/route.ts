import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableOperation } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";
import { getTable } from "@/lib/storage/tables";

type Params = { tableId: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await getTable({ db: db(), projectId: auth.projectId, tableId: params.tableId }), { headers: { "Cache-Control": "no-store" } }),
);

/** Drops the table asynchronously: 202 with the tableDrop job. */
export const DELETE = withAuth<Params>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const job = await requestTableOperation({ db: db(), auth, runId, tableId: params.tableId, operationName: "tableDrop" });
  return acceptedStorageJob(job, origin);
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
