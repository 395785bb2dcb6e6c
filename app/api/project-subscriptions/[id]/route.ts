import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteSubscription, getSubscription } from "@/lib/notifications/subscriptions";

export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  return NextResponse.json(await getSubscription({ db: db(), projectId: auth.projectId, id: params.id }));
});

export const DELETE = withAuth<{ id: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteSubscription({ db: db(), projectId: auth.projectId, id: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
