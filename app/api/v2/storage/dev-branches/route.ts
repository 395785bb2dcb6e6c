import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { mainBranchJson } from "@/lib/storage/branches";

/** Keboola's development branches: Jobdeck has the main branch only. */
export const GET = withAuth({ permission: "read" }, async (_request, { auth }) => {
  const project = await db().project.findUniqueOrThrow({ where: { id: auth.projectId }, select: { createdAt: true } });
  return NextResponse.json([mainBranchJson(auth, project.createdAt)]);
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
