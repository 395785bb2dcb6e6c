import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { updateTriggerSchema } from "@/lib/schemas/triggers";
import { deleteTrigger, getTrigger, updateTrigger } from "@/lib/triggers/triggers";

type Params = { id: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await getTrigger({ db: db(), projectId: auth.projectId, id: params.id })),
);

// Keboola updates a trigger with PUT (kbcstorage sends it as a form); PATCH means the same here.
const update = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, updateTriggerSchema);
  return NextResponse.json(await updateTrigger({ db: db(), projectId: auth.projectId, id: params.id, input }));
});
export const PUT = update;
export const PATCH = update;

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteTrigger({ db: db(), projectId: auth.projectId, id: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST } = otherMethods(["GET", "PUT", "PATCH", "DELETE"]);
