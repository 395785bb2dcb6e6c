import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";

/** Keboola's token verification: who the token is, its project and what it may do. */
export const GET = withAuth({ permission: "read" }, async (_request, { auth, origin }) => {
  const token = await db().token.findUniqueOrThrow({ where: { id: auth.tokenId }, select: { createdAt: true, lastUsedAt: true } });
  const manage = auth.permission === "manage";
  return NextResponse.json(
    {
      id: String(auth.tokenId),
      description: auth.tokenDescription,
      created: token.createdAt.toISOString(),
      lastUsed: token.lastUsedAt?.toISOString() ?? null,
      expires: null,
      isMasterToken: false,
      canManageBuckets: manage,
      canManageTokens: manage,
      canReadAllFileUploads: true,
      canPurgeTrash: false,
      isDisabled: false,
      bucketPermissions: {},
      componentAccess: [],
      // Jobdeck's: may this token create and kill jobs.
      canManageJobs: manage,
      owner: { id: auth.projectId, name: auth.projectName, features: [], fileStorageProvider: "local", defaultBackend: "postgresql" },
      uri: `${origin}/api/v2/storage/tokens/${auth.tokenId}`,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
