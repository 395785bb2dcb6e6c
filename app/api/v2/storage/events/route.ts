import { NextResponse } from "next/server";
import { jsonResponse } from "@/lib/api/known-bytes";
import { otherMethods, parseQuery, readBody, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listEvents, toEventJson } from "@/lib/events/list-events";
import { eventsVersion } from "@/lib/jobs/job-version";
import { writeEvent } from "@/lib/events/write-event";
import { createEventSchema, listEventsSchema } from "@/lib/schemas/events";

// Polled every 2 s by open logs (with sinceId): an answer the poller already has is a 304, and
// while nothing in the run's orchestration changes, the server answers that without asking anyone.
export const GET = withAuth({ permission: "read", versioned: ({ request }) => eventsVersion(request.nextUrl.searchParams) }, async (request, { auth }) => {
  const input = parseQuery(request, listEventsSchema);
  const events = await listEvents({ db: db(), projectId: auth.projectId, input });
  return jsonResponse(events);
});

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const { duration, ...input } = await readBody(request, createEventSchema);
  const params = duration === undefined ? input.params : { ...input.params, duration };
  const event = await writeEvent({ db: db(), event: { projectId: auth.projectId, ...input, ...(params && { params }) } });
  return NextResponse.json(toEventJson(event), { status: 201 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
