import { NextResponse } from "next/server";
import { matchesIfNoneMatch, revalidatedHeaders } from "@/lib/api/conditional";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getJob } from "@/lib/jobs/get-job";
import { jobVersionTag } from "@/lib/jobs/job-version";

// Polled every 2 s by open job pages: an unchanged job answers 304 without being loaded.
export const GET = withAuth<{ id: string }>({ permission: "read" }, async (request, { auth, params, origin }) => {
  const etag = await jobVersionTag({ db: db(), projectId: auth.projectId, id: params.id, origin });
  if (etag && matchesIfNoneMatch(request, etag)) return new Response(null, { status: 304, headers: revalidatedHeaders(etag) });
  const job = await getJob({ db: db(), projectId: auth.projectId, id: params.id, origin });
  return NextResponse.json(job, { headers: etag ? revalidatedHeaders(etag) : { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
