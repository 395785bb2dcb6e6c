import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { forbidden } from "@/lib/errors";
import { fileDetailQuerySchema } from "@/lib/schemas/storage";
import { deleteFile } from "@/lib/storage/files/delete-file";
import { toFileDetail } from "@/lib/storage/files/file-views";
import { getFile } from "@/lib/storage/files/get-file";

type Params = { id: string };

/** A file; `federationToken=1` adds what Keboola's clients need to read it from the store directly. */
export const GET = withAuth<Params>({ permission: "read" }, async (request, { auth, params, origin }) => {
  const query = parseQuery(request, fileDetailQuerySchema);
  // The store's keys reach more than this file (SECURITY.md): only tokens that may write get them.
  if (query.federationToken && auth.permission !== "manage") throw forbidden("federationToken: the store's keys are only for tokens that can manage; read the file through its `url`.");
  const file = await getFile({ db: db(), projectId: auth.projectId, id: params.id, confirmUpload: "try" });
  return NextResponse.json(await toFileDetail(file, origin, { federationToken: query.federationToken }), { headers: { "Cache-Control": "no-store" } });
});

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteFile({ db: db(), projectId: auth.projectId, id: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
