import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { checkBranch } from "@/lib/storage/branches";

/** The branch's metadata: Jobdeck keeps none on its main branch, so the list is empty. */
export const GET = withAuth<{ branchId: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  checkBranch(params.branchId, auth.projectId);
  return NextResponse.json([]);
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
