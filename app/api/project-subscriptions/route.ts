import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createSubscription, listSubscriptions } from "@/lib/notifications/subscriptions";
import { createSubscriptionSchema } from "@/lib/schemas/notifications";

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) => {
  return NextResponse.json(await listSubscriptions({ db: db(), projectId: auth.projectId }));
});

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readJson(request, createSubscriptionSchema);
  const created = await createSubscription({ db: db(), projectId: auth.projectId, tokenId: auth.tokenId, input });
  return NextResponse.json(created, { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
