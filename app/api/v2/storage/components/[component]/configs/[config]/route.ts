import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { getConfiguration, updateConfiguration } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { updateConfigurationSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(
    await getConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config }),
  ),
);

export const PUT = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readJson(request, updateConfigurationSchema);
  return NextResponse.json(
    await updateConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, input }),
  );
});

export const { POST, DELETE, PATCH } = otherMethods(["GET", "PUT"]);
