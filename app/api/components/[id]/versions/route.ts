import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { readComponentUpload } from "@/lib/components/read-upload";
import { addComponentVersion, listComponentVersions } from "@/lib/components/versions";
import { db } from "@/lib/db";
import { invalidInput } from "@/lib/errors";
import { createVersionSchema } from "@/lib/schemas/components";

type Params = { id: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await listComponentVersions({ db: db(), projectId: auth.projectId, componentId: params.id }), { headers: { "Cache-Control": "no-store" } }),
);

/** multipart/form-data: the archive in `code`, optional `command` (JSON array) and `tag`. */
export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const { input, code } = await readComponentUpload(request, createVersionSchema);
  if (!code) throw invalidInput("code: a version needs the code: send a multipart form with the archive in the file field `code`", "code");
  const version = await addComponentVersion({ db: db(), auth, componentId: params.id, input, code });
  return NextResponse.json(version, { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
