import { NextResponse } from "next/server";
import { otherMethods, parseQuery, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { createBucketSchema, listBucketsSchema } from "@/lib/schemas/storage";
import { createBucket, listBuckets } from "@/lib/storage/buckets";

export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  parseQuery(request, listBucketsSchema);
  return NextResponse.json(await listBuckets({ db: db(), projectId: auth.projectId, origin }), { headers: { "Cache-Control": "no-store" } });
});

/** Creates a bucket: JSON or a form (as Keboola's clients send it), `name` without the "c-". */
export const POST = withAuth({ permission: "manage" }, async (request, { auth, origin }) => {
  const input = await readBody(request, createBucketSchema);
  return NextResponse.json(await createBucket({ db: db(), projectId: auth.projectId, input, origin }), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
