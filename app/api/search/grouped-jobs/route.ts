import type { NextRequest } from "next/server";
import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { searchJobsVersion } from "@/lib/jobs/job-version";
import { searchGroupedJobs } from "@/lib/jobs/search-grouped-jobs";
import { searchGroupedJobsQuerySchema } from "@/lib/schemas/grouped-jobs";

// Polled by the Components and configuration pages: an unchanged answer is a 304.
function version({ request }: { request: NextRequest }) {
  return searchJobsVersion(request.nextUrl.searchParams);
}

export const GET = withAuth({ permission: "read", versioned: version }, async (request, { auth, origin }) => {
  const input = parseQuery(request, searchGroupedJobsQuerySchema);
  return jsonResponse(await searchGroupedJobs({ db: db(), projectId: auth.projectId, input, origin }));
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
