import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { countJobs } from "@/lib/jobs/count-jobs";
import { countJobsSchema } from "@/lib/schemas/job-counts";

export const GET = withAuth({ permission: "read" }, async (request, { auth }) => {
  const input = parseQuery(request, countJobsSchema);
  const counts = await countJobs({ db: db(), projectId: auth.projectId, input });
  return NextResponse.json(counts, { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
