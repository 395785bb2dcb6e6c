import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { createConfiguration, listConfigurations } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { createConfigurationSchema } from "@/lib/schemas/configurations";

type Params = { component: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await listConfigurations({ db: db(), projectId: auth.projectId, componentId: params.component })),
);

export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, createConfigurationSchema);
  const config = await createConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, input, actor: auth });
  return NextResponse.json(config, { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
