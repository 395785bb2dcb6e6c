import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getJob } from "@/lib/jobs/get-job";
import { killJob } from "@/lib/jobs/kill-job";

export const POST = withAuth<{ id: string }>({ permission: "manage" }, async (_request, { auth, params, origin }) => {
  await killJob({ db: db(), projectId: auth.projectId, id: params.id, killedBy: auth.tokenDescription });
  const job = await getJob({ db: db(), projectId: auth.projectId, id: params.id, origin });
  return NextResponse.json(job);
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
