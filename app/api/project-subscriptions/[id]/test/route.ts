import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { sendTest } from "@/lib/notifications/deliveries";

export const POST = withAuth<{ id: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  return NextResponse.json(await sendTest({ db: db(), projectId: auth.projectId, subscriptionId: params.id }), { status: 202 });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
