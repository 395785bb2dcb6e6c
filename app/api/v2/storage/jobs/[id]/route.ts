import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getStorageJob } from "@/lib/storage/jobs/get-storage-job";

export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params, origin }) =>
  jsonResponse(await getStorageJob({ db: db(), projectId: auth.projectId, id: params.id, origin }), { headers: { "Cache-Control": "no-store" } }),
);

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
