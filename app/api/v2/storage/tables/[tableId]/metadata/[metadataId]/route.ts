import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deleteMetadata } from "@/lib/storage/metadata";
import { findTable } from "@/lib/storage/tables";

export const DELETE = withAuth<{ tableId: string; metadataId: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  const table = await findTable({ db: db(), projectId: auth.projectId, tableId: params.tableId });
  await deleteMetadata({ db: db(), target: { tablePk: table.pk }, id: params.metadataId });
  return new NextResponse(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH } = otherMethods(["DELETE"]);
