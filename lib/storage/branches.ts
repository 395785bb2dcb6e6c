import "server-only";
// Keboola's development branches: Jobdeck has the main branch only. Keboola gives it a numeric id
// and also answers "default" for it; Jobdeck's main branch id is the project's id.
import type { AuthContext } from "@/lib/auth/tokens";
import { notFound } from "@/lib/errors";

export const BRANCH_HEADER = "x-jobdeck-branch";

export function mainBranchId(projectId: number): number {
  return projectId;
}

/** The main branch as GET dev-branches lists it. */
export function mainBranchJson(auth: AuthContext, created: Date) {
  return {
    id: mainBranchId(auth.projectId),
    name: "Main",
    description: "",
    isDefault: true,
    created: created.toISOString(),
    creatorToken: { id: auth.tokenId, name: auth.tokenDescription },
  };
}

/** A branch path (`branch/{id}/…`) names this project's main branch, or it is not found. */
export function checkBranch(branch: string, projectId: number): void {
  if (branch === "default" || branch === String(mainBranchId(projectId))) return;
  throw notFound(`Branch ${branch.slice(0, 40)} (Jobdeck has the main branch only: "default" or ${mainBranchId(projectId)})`);
}
