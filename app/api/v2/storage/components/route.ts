import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { listComponents } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";
import { listComponentsSchema } from "@/lib/schemas/configurations";

export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const { include, componentType } = parseQuery(request, listComponentsSchema);
  return NextResponse.json(await listComponents({ db: db(), projectId: auth.projectId, origin, include, type: componentType }));
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
