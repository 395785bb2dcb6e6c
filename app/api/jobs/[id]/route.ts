import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getJob } from "@/lib/jobs/get-job";
import { jobVersion } from "@/lib/jobs/job-version";

// Polled every 2 s by open job pages: an unchanged job answers 304 from one query, without being loaded.
export const GET = withAuth<{ id: string }>({ permission: "read", versioned: ({ params }) => jobVersion(params.id) }, async (_request, { auth, params, origin }) => {
  const job = await getJob({ db: db(), projectId: auth.projectId, id: params.id, origin });
  return jsonResponse(job);
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
