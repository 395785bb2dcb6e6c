import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { createToken, listTokens, toTokenJson } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { createTokenSchema } from "@/lib/schemas/tokens";

export const GET = withAuth({ permission: "manage" }, async (_request, { auth }) => {
  const tokens = await listTokens({ db: db(), projectId: auth.projectId });
  return NextResponse.json(tokens.map((t) => toTokenJson(t)));
});

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readJson(request, createTokenSchema);
  const { id, secret } = await createToken({
    db: db(),
    projectId: auth.projectId,
    description: input.description,
    permission: input.canManageJobs ? "manage" : "read",
  });
  const token = await db().token.findUniqueOrThrow({ where: { id } });
  return NextResponse.json(toTokenJson(token, secret), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
