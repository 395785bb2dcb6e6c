import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createJob, createJobOnce } from "@/lib/jobs/create-job";
import { idempotencyOf } from "@/lib/jobs/idempotency";
import { getJob } from "@/lib/jobs/get-job";
import { createJobSchema } from "@/lib/schemas/jobs";

export const POST = withAuth({ permission: "manage" }, async (request, { auth, origin }) => {
  const input = await readBody(request, createJobSchema);
  const parentRunId = request.headers.get("x-kbc-runid");
  // Idempotency-Key: a retry with the same key and body answers the first job (200), not a second one.
  const idempotency = idempotencyOf(request.headers, `POST /jobs ${parentRunId?.trim() ?? ""}`, input);
  const { job: created, replayed } = idempotency
    ? await createJobOnce({ db: db(), auth, input, parentRunId, idempotency })
    : { job: await createJob({ db: db(), auth, input, parentRunId }), replayed: false };
  const job = await getJob({ db: db(), projectId: auth.projectId, id: created.id.toString(), origin });
  return NextResponse.json(job, { status: replayed ? 200 : 201, headers: { Location: job.url, ...(replayed && { "Idempotent-Replayed": "true" }) } });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
