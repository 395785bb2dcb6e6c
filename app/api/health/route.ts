import { NextResponse } from "next/server";
import { otherMethods, withErrors } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export const GET = withErrors(async () => {
  await db().$queryRaw`SELECT 1`;
  return NextResponse.json({ status: "ok", database: env.database }, { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
