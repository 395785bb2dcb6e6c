import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { checkBranch, mainBranchJson } from "@/lib/storage/branches";

/** The main branch, by its id or as "default"; any other branch is not found. */
export const GET = withAuth<{ branchId: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  checkBranch(params.branchId, auth.projectId);
  const project = await db().project.findUniqueOrThrow({ where: { id: auth.projectId }, select: { createdAt: true } });
  return NextResponse.json(mainBranchJson(auth, project.createdAt));
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
