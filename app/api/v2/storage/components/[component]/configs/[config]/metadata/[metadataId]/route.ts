import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { configurationPk } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { deleteMetadata } from "@/lib/storage/metadata";

export const DELETE = withAuth<{ component: string; config: string; metadataId: string }>({ permission: "manage" }, async (_request, { auth, params }) => {
  const pk = await configurationPk({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config });
  await deleteMetadata({ db: db(), target: { configurationPk: pk }, id: params.metadataId });
  return new NextResponse(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH } = otherMethods(["DELETE"]);
