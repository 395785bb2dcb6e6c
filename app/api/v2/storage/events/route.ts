import { NextResponse } from "next/server";
import { otherMethods, parseQuery, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listEvents, toEventJson } from "@/lib/events/list-events";
import { writeEvent } from "@/lib/events/write-event";
import { createEventSchema, listEventsSchema } from "@/lib/schemas/events";

export const GET = withAuth({ permission: "read" }, async (request, { auth }) => {
  const input = parseQuery(request, listEventsSchema);
  const events = await listEvents({ db: db(), projectId: auth.projectId, input });
  return NextResponse.json(events, { headers: { "Cache-Control": "no-store" } });
});

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readJson(request, createEventSchema);
  const event = await writeEvent({ db: db(), event: { projectId: auth.projectId, ...input } });
  return NextResponse.json(toEventJson(event), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
