import { NextResponse } from "next/server";
import { otherMethods, readJson, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { updateSchedule } from "@/lib/schedules/activate-schedule";
import { deleteSchedule } from "@/lib/schedules/delete-schedule";
import { getSchedule } from "@/lib/schedules/list-schedules";
import { updateScheduleSchema } from "@/lib/schemas/schedules";

type Params = { id: string };

export const GET = withAuth<Params>({ permission: "read" }, async (_request, { auth, params }) =>
  NextResponse.json(await getSchedule({ db: db(), projectId: auth.projectId, id: params.id })),
);

export const PATCH = withAuth<Params>({ permission: "manage" }, async (request, { auth, params }) => {
  const input = await readJson(request, updateScheduleSchema);
  const schedule = await updateSchedule({ db: db(), auth, id: params.id, input });
  return NextResponse.json(await getSchedule({ db: db(), projectId: auth.projectId, id: String(schedule.id) }));
});

export const DELETE = withAuth<Params>({ permission: "manage" }, async (_request, { auth, params }) => {
  await deleteSchedule({ db: db(), projectId: auth.projectId, id: params.id });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT } = otherMethods(["GET", "PATCH", "DELETE"]);
