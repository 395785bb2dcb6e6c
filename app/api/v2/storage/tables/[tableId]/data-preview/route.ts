import { NextResponse } from "next/server";
import { stringify } from "csv-stringify/sync";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { previewSchema } from "@/lib/schemas/storage";
import { previewTable } from "@/lib/storage/tables";

/**
 * The first rows of a table, filtered as an export (`columns`, `whereColumn`/`whereValues[]`/
 * `whereOperator`, `limit`): Keboola's CSV by default (RFC 4180, header first, every value quoted),
 * or JSON `{columns, rows}` with `format=json`.
 */
export const GET = withAuth<{ tableId: string }>({ permission: "read" }, async (request, { auth, params }) => {
  const { limit, format, filters } = parseQuery(request, previewSchema);
  const preview = await previewTable({ db: db(), projectId: auth.projectId, tableId: params.tableId, limit, filters });
  if (format === "json") return NextResponse.json(preview, { headers: { "Cache-Control": "no-store" } });
  return new NextResponse(stringify([preview.columns, ...preview.rows], { record_delimiter: "unix", quoted: true, quoted_empty: true }), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store" },
  });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
