import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createTriggerSchema } from "@/lib/schemas/triggers";
import { createTrigger, listTriggers } from "@/lib/triggers/triggers";

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) => NextResponse.json(await listTriggers({ db: db(), projectId: auth.projectId })));

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readBody(request, createTriggerSchema);
  return NextResponse.json(await createTrigger({ db: db(), auth, input }), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
