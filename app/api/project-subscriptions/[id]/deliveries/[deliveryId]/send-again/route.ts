import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { sendAgain } from "@/lib/notifications/deliveries";

export const POST = withAuth<{ id: string; deliveryId: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  return NextResponse.json(await sendAgain({ db: db(), projectId: auth.projectId, subscriptionId: params.id, deliveryId: params.deliveryId }), { status: 202 });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
