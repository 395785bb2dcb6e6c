import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { sortRows } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { sortRowsSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string };

export const PUT = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, sortRowsSchema);
  return NextResponse.json(
    await sortRows({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, input, actor: auth }),
  );
});

export const { GET, POST, DELETE, PATCH } = otherMethods(["PUT"]);
