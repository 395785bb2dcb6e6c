import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { countJobs } from "@/lib/jobs/count-jobs";
import { projectCountsVersion } from "@/lib/jobs/job-version";
import { countJobsQuerySchema } from "@/lib/schemas/job-counts";

// Polled by every open Jobs page: unchanged counts answer 304, and changed ones are counted once per change.
export const GET = withAuth({ permission: "read", versioned: () => projectCountsVersion }, async (request, { auth }) => {
  const input = parseQuery(request, countJobsQuerySchema);
  const counts = await countJobs({ db: db(), projectId: auth.projectId, input });
  return jsonResponse(counts);
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
