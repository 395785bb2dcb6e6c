import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listBucketsSchema } from "@/lib/schemas/storage";
import { findBucket } from "@/lib/storage/buckets";
import { listTables } from "@/lib/storage/tables";

/** The bucket's tables (404 for an unknown bucket), as GET tables?bucketId= lists them. */
export const GET = withAuth<{ bucketId: string }>({ permission: "read" }, async (request, { auth, params, origin }) => {
  parseQuery(request, listBucketsSchema);
  const bucket = await findBucket({ db: db(), projectId: auth.projectId, bucketId: params.bucketId });
  return NextResponse.json(await listTables({ db: db(), projectId: auth.projectId, bucketId: bucket.bucketId, origin }), { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
