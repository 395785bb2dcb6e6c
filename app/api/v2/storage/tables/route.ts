import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listTablesSchema } from "@/lib/schemas/storage";
import { listTables } from "@/lib/storage/tables";

export const GET = withAuth({ permission: "read" }, async (request, { auth }) => {
  const { bucketId } = parseQuery(request, listTablesSchema);
  return NextResponse.json(await listTables({ db: db(), projectId: auth.projectId, bucketId }), { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
