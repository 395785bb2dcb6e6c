import { NextResponse } from "next/server";
import { otherMethods, readBody, withAuth } from "@/lib/api/handler";
import { rollbackToVersion } from "@/lib/configurations/versions";
import { db } from "@/lib/db";
import { versionActionSchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string; version: string };

export const POST = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readBody(request, versionActionSchema);
  return NextResponse.json(
    await rollbackToVersion({
      db: db(),
      projectId: auth.projectId,
      componentId: params.component,
      configId: params.config,
      version: params.version,
      expectedVersion: input.version,
      changeDescription: input.changeDescription,
      actor: auth,
    }),
  );
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
