import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { runJobAgain } from "@/lib/configurations/run-again";
import { db } from "@/lib/db";
import { getJob } from "@/lib/jobs/get-job";
import { runAgainSchema } from "@/lib/schemas/jobs";

type Params = { id: string };

/**
 * Ours: a new job with the same component, configuration, rows, configData, mode, tag, backend and
 * parallelism; or, for a task of an orchestration, `{"scope": "orchestrationFromHere"}`.
 */
export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const { scope } = await readJson(request, runAgainSchema);
  const created = await runJobAgain({ db: db(), auth, jobId: params.id, scope });
  const job = await getJob({ db: db(), projectId: auth.projectId, id: created.id.toString(), origin });
  return NextResponse.json(job, { status: 201, headers: { Location: job.url } });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
