import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { updateRow } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { updateRowSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string; row: string };

export const PUT = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readJson(request, updateRowSchema);
  return NextResponse.json(
    await updateRow({
      db: db(),
      projectId: auth.projectId,
      componentId: params.component,
      configId: params.config,
      rowId: params.row,
      input,
    }),
  );
});

export const { GET, POST, DELETE, PATCH } = otherMethods(["PUT"]);
