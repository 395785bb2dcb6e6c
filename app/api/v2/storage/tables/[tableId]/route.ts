import { NextResponse } from "next/server";
import { z } from "zod";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { formFlag } from "@/lib/schemas/form-values";
import { startStorageJob } from "@/lib/storage/jobs/enqueue-storage-job";
import { requestTableOperation } from "@/lib/storage/jobs/requests";
import { acceptedStorageJob } from "@/lib/storage/jobs/views";
import { dropTable, getTable } from "@/lib/storage/tables";

type Params = { tableId: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params, origin }) =>
  NextResponse.json(await getTable({ db: db(), projectId: auth.projectId, tableId: params.tableId, origin }), { headers: { "Cache-Control": "no-store" } }),
);

const deleteTableSchema = z.strictObject({ async: formFlag.default(false), force: formFlag.optional() });

/** Drops the table: at once (204, as Keboola by default), or with `async=true` as a tableDrop job (202). */
export const DELETE = withAuth<Params>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const { async } = parseQuery(request, deleteTableSchema);
  if (!async) {
    await dropTable({ db: db(), projectId: auth.projectId, tableId: params.tableId });
    return new NextResponse(null, { status: 204 });
  }
  const { job, replayed } = await startStorageJob({
    request,
    db: db(),
    auth,
    input: { async },
    start: ({ runId, reservation }) => requestTableOperation({ db: db(), auth, runId, reservation, tableId: params.tableId, operationName: "tableDrop" }),
  });
  return acceptedStorageJob(job, origin, replayed);
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
