import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { previewCron } from "@/lib/schedules/cron";
import { previewScheduleQuerySchema, type SchedulePreviewJson } from "@/lib/schemas/schedules";

/** The schedule editor's preview: a cronTab in a time zone read for people, with its next five runs, or why it cannot run (422). */
export const GET = withAuth({ permission: "read" }, async (request) => {
  const { cronTab, timezone } = parseQuery(request, previewScheduleQuerySchema);
  const answer: SchedulePreviewJson = { cronTab, timezone, ...previewCron({ cronTab, timezone, after: new Date(), count: 5 }) };
  return NextResponse.json(answer);
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
