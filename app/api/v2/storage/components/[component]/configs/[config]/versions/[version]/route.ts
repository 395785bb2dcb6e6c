import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { getVersion } from "@/lib/configurations/versions";
import { db } from "@/lib/db";

type Params = { component: string; config: string; version: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(
    await getVersion({ db: db(), projectId: auth.projectId, componentId: params.component, configId: params.config, version: params.version }),
  ),
);

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
