import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { listComponents } from "@/lib/configurations/configurations";
import { db } from "@/lib/db";

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) =>
  NextResponse.json(await listComponents({ db: db(), projectId: auth.projectId })),
);

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
