import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listStorageJobsSchema } from "@/lib/schemas/storage";
import { listStorageJobs } from "@/lib/storage/jobs/list-storage-jobs";

export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const input = parseQuery(request, listStorageJobsSchema);
  return NextResponse.json(await listStorageJobs({ db: db(), projectId: auth.projectId, input, origin }), { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
