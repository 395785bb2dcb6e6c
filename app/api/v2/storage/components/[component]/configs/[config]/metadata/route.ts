import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { configurationPk } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { configurationMetadataSchema } from "@/lib/schemas/configurations";
import { listMetadata, writeMetadata } from "@/lib/storage/metadata";
import { toMetadataJson } from "@/lib/storage/tables";

type Params = { component: string; config: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) => {
  const pk = await configurationPk({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config });
  return NextResponse.json(await listMetadata({ db: db(), target: { configurationPk: pk } }));
});

/** Writes metadata on the configuration (provider "user" unless given); answers the entries written. */
export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, configurationMetadataSchema);
  const pk = await configurationPk({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config });
  const written = await writeMetadata({ db: db(), projectId: auth.projectId, target: { configurationPk: pk }, provider: input.provider ?? "user", items: input.metadata });
  return NextResponse.json(written.map(toMetadataJson), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
