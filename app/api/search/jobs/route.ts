import type { NextRequest } from "next/server";
import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { searchJobsVersion } from "@/lib/jobs/job-version";
import { searchJobs } from "@/lib/jobs/search-jobs";
import { searchJobsQuerySchema } from "@/lib/schemas/jobs";

// Polled by open Jobs pages (and job pages, for their children): an unchanged page answers 304.
function listVersion({ request }: { request: NextRequest }) {
  return searchJobsVersion(request.nextUrl.searchParams);
}

export const GET = withAuth({ permission: "read", versioned: listVersion }, async (request, { auth, origin }) => {
  const input = parseQuery(request, searchJobsQuerySchema);
  // A token sees its own project: a filter naming only other projects matches nothing.
  if (input.projectId && !input.projectId.includes(String(auth.projectId))) return jsonResponse([]);
  const { jobs, nextCursor } = await searchJobs({ db: db(), projectId: auth.projectId, input, origin });
  const headers = new Headers();
  if (nextCursor) {
    const next = new URL(request.nextUrl);
    next.searchParams.set("cursor", nextCursor);
    next.searchParams.delete("offset");
    headers.set("X-Next-Cursor", nextCursor);
    headers.set("Link", `<${origin}${next.pathname}${next.search}>; rel="next"`);
  }
  return jsonResponse(jobs, { headers });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
