import { NextResponse } from "next/server";
import { otherMethods, publicOrigin, withErrors } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/openapi";

export const GET = withErrors(async (request) => NextResponse.json(openApiDocument(publicOrigin(request))));

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
