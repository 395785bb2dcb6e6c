import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteBucket, getBucket } from "@/lib/storage/buckets";

type Params = { bucketId: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await getBucket({ db: db(), projectId: auth.projectId, bucketId: params.bucketId }), { headers: { "Cache-Control": "no-store" } }),
);

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteBucket({ db: db(), projectId: auth.projectId, bucketId: params.bucketId });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
