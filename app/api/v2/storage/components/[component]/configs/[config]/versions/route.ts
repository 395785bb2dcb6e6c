import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { listVersions } from "@/lib/configurations/versions";
import { db } from "@/lib/db";
import { listVersionsQuerySchema } from "@/lib/schemas/configurations";

type Params = { component: string; config: string };

export const GET = withAuth<Params>({ permission: "read" }, async (request, { auth, params }) => {
  const { limit, offset } = parseQuery(request, listVersionsQuerySchema);
  return NextResponse.json(
    await listVersions({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, limit, offset }),
  );
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
