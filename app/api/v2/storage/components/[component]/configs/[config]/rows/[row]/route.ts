import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { deleteRow, updateRow } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { updateRowSchema, versionActionSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string; row: string };

export const PUT = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, updateRowSchema);
  return NextResponse.json(
    await updateRow({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, rowId: params.row, input, actor: auth }),
  );
});

/** Answers the configuration without the row (ours; Keboola answers 204). */
export const DELETE = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, versionActionSchema);
  return NextResponse.json(
    await deleteRow({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, rowId: params.row, input, actor: auth }),
  );
});

export const { GET, POST, PATCH } = otherMethods(["PUT", "DELETE"]);
