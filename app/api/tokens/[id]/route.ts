import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { revokeToken, toTokenJson } from "@/lib/auth/tokens";
import { db } from "@/lib/db";

export const DELETE = withAuth<{ id: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  const token = await revokeToken({ db: db(), projectId: auth.projectId, id: params.id });
  return NextResponse.json(toTokenJson(token));
});

export const { GET, POST, PUT, PATCH } = otherMethods(["DELETE"]);
