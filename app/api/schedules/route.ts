import { NextResponse } from "next/server";
import { otherMethods, parseQuery, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { activateSchedule } from "@/lib/schedules/activate-schedule";
import { getSchedule, listSchedules } from "@/lib/schedules/list-schedules";
import { activateScheduleSchema, listSchedulesQuerySchema } from "@/lib/schemas/schedules";

export const GET = withAuth({ permission: "read" }, async (request, { auth }) => {
  const query = parseQuery(request, listSchedulesQuerySchema);
  return NextResponse.json(await listSchedules({ db: db(), projectId: auth.projectId, ...query }));
});

export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const input = await readJson(request, activateScheduleSchema);
  const { schedule, created } = await activateSchedule({ db: db(), auth, input });
  return NextResponse.json(await getSchedule({ db: db(), projectId: auth.projectId, id: String(schedule.id) }), { status: created ? 201 : 200 });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
