import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { deleteConfiguration, getConfiguration, updateConfiguration } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { updateConfigurationSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(
    await getConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config }),
  ),
);

export const PUT = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, updateConfigurationSchema);
  return NextResponse.json(
    await updateConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, input, actor: auth }),
  );
});

/** Deletes the configuration with its rows and metadata: 204. */
export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteConfiguration({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PATCH } = otherMethods(["GET", "PUT", "DELETE"]);
