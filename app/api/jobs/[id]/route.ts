import { NextResponse } from "next/server";
import { withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getJob } from "@/lib/jobs/get-job";

export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params, origin }) => {
  const job = await getJob({ db: db(), projectId: auth.projectId, id: params.id, origin });
  return NextResponse.json(job, { headers: { "Cache-Control": "no-store" } });
});
