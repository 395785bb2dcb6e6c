import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listTablesSchema } from "@/lib/schemas/storage";
import { listTables } from "@/lib/storage/tables";

// `include=` is accepted: every table carries its columns, bucket, attributes and metadata.
export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const { bucketId } = parseQuery(request, listTablesSchema);
  return NextResponse.json(await listTables({ db: db(), projectId: auth.projectId, bucketId, origin }), { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
