import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { createRow, getConfiguration } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { createRowSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) => {
  const config = await getConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config });
  return NextResponse.json(config.rows);
});

export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, createRowSchema);
  const config = await createRow({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, input, actor: auth });
  return NextResponse.json(config, { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
