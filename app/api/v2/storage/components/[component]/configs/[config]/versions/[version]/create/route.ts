import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { copyVersion } from "@/lib/configurations/versions";
import { db } from "@/lib/db";
import { copyConfigurationSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string; version: string };

/** Keboola's "create configuration from version": how a configuration is copied. */
export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, copyConfigurationSchema);
  const created = await copyVersion({
    db: db(),
    projectId: auth.projectId,
    componentId: params.component,
    configId: params.config,
    version: params.version,
    ...input,
    actor: auth,
  });
  return NextResponse.json(created, { status: 201 });
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
