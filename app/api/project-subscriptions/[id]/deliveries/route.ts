import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listDeliveries } from "@/lib/notifications/deliveries";

export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  return NextResponse.json(await listDeliveries({ db: db(), projectId: auth.projectId, subscriptionId: params.id }));
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
