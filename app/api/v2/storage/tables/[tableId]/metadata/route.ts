import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { tableMetadataSchema } from "@/lib/schemas/storage";
import { listMetadata, writeMetadata } from "@/lib/storage/metadata";
import { findTable, getTable } from "@/lib/storage/tables";

type Params = { tableId: string };

/** The table's own metadata (its columns' are in the table's `columnMetadata`). */
export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) => {
  const table = await findTable({ db: db(), projectId: auth.projectId, tableId: params.tableId });
  return NextResponse.json(await listMetadata({ db: db(), target: { tablePk: table.pk } }), { headers: { "Cache-Control": "no-store" } });
});

/** Writes metadata on the table and its columns; answers all of the table's, as its detail has them. */
export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params, origin }) => {
  const input = await readBody(request, tableMetadataSchema);
  const table = await findTable({ db: db(), projectId: auth.projectId, tableId: params.tableId });
  await writeMetadata({
    db: db(),
    projectId: auth.projectId,
    target: { tablePk: table.pk, columns: table.columns },
    provider: input.provider,
    items: [...input.metadata, ...input.columnsMetadata],
  });
  const { metadata, columnMetadata } = await getTable({ db: db(), projectId: auth.projectId, tableId: table.tableId, origin });
  return NextResponse.json({ metadata, columnsMetadata: columnMetadata }, { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
