import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createBucketSchema } from "@/lib/schemas/storage";
import { createBucket, listBuckets } from "@/lib/storage/buckets";

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) =>
  NextResponse.json(await listBuckets({ db: db(), projectId: auth.projectId }), { headers: { "Cache-Control": "no-store" } }),
);

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readJson(request, createBucketSchema);
  return NextResponse.json(await createBucket({ db: db(), projectId: auth.projectId, input }), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
