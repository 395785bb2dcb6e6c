import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteFile } from "@/lib/storage/files/delete-file";
import { toFileJson } from "@/lib/storage/files/file-views";
import { getFile } from "@/lib/storage/files/get-file";

type Params = { id: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params, origin }) =>
  NextResponse.json(toFileJson(await getFile({ db: db(), projectId: auth.projectId, id: params.id }), origin), { headers: { "Cache-Control": "no-store" } }),
);

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteFile({ db: db(), projectId: auth.projectId, id: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
