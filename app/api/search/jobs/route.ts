import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { searchJobs } from "@/lib/jobs/search-jobs";
import { searchJobsSchema } from "@/lib/schemas/jobs";

export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const input = parseQuery(request, searchJobsSchema);
  const { jobs, nextCursor } = await searchJobs({ db: db(), projectId: auth.projectId, input, origin });
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (nextCursor) {
    const next = new URL(request.nextUrl);
    next.searchParams.set("cursor", nextCursor);
    next.searchParams.delete("offset");
    headers.set("X-Next-Cursor", nextCursor);
    headers.set("Link", `<${origin}${next.pathname}${next.search}>; rel="next"`);
  }
  return NextResponse.json(jobs, { headers });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
