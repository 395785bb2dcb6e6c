import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import { getJob } from "@/lib/jobs/get-job";
import { createJobSchema } from "@/lib/schemas/jobs";

export const POST = withAuth({ permission: "manage" }, async (request, { auth, origin }) => {
  const input = await readJson(request, createJobSchema);
  const created = await createJob({ db: db(), auth, input, parentRunId: request.headers.get("x-kbc-runid") });
  const job = await getJob({ db: db(), projectId: auth.projectId, id: created.id.toString(), origin });
  return NextResponse.json(job, { status: 201, headers: { Location: job.url } });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
