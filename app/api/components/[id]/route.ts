import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { deleteComponent, getComponent, updateComponent } from "@/lib/components/components";
import { db } from "@/lib/db";
import { updateComponentSchema } from "@/lib/schemas/components";

type Params = { id: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await getComponent({ db: db(), projectId: auth.projectId, componentId: params.id }), { headers: { "Cache-Control": "no-store" } }),
);

export const PATCH = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readJson(request, updateComponentSchema);
  return NextResponse.json(await updateComponent({ db: db(), projectId: auth.projectId, componentId: params.id, input }));
});

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteComponent({ db: db(), projectId: auth.projectId, componentId: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT } = otherMethods(["GET", "PATCH", "DELETE"]);
