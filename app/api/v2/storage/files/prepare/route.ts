import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { prepareFileSchema } from "@/lib/schemas/storage";
import { prepareFile, readFormOrJson } from "@/lib/storage/files/prepare-file";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";

/** Keboola's upload step one: a File to be, and where its bytes go (see prepare-file.ts). */
export const POST = withAuth({ permission: "manage" }, async (request, { auth, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const input = await readFormOrJson(request, prepareFileSchema);
  return NextResponse.json(await prepareFile({ db: db(), auth, input, origin, runId }), { status: 201, headers: { "Cache-Control": "no-store" } });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
