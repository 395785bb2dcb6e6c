import { NextResponse } from "next/server";
import { stringify } from "csv-stringify/sync";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { previewSchema } from "@/lib/schemas/storage";
import { previewTable } from "@/lib/storage/tables";

/** The first rows of a table: JSON `{columns, rows}` by default, or CSV with `format=csv`. */
export const GET = withAuth<{ tableId: string }>({ permission: "read" }, async (request, { auth, params }) => {
  const { limit, format } = parseQuery(request, previewSchema);
  const preview = await previewTable({ db: db(), projectId: auth.projectId, tableId: params.tableId, limit });
  if (format === "json") return NextResponse.json(preview, { headers: { "Cache-Control": "no-store" } });
  return new NextResponse(stringify([preview.columns, ...preview.rows], { record_delimiter: "unix" }), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store" },
  });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
