import { NextResponse } from "next/server";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { addComponent, listComponentsOfProject } from "@/lib/components/components";
import { readComponentUpload } from "@/lib/components/read-upload";
import { db } from "@/lib/db";
import { createComponentSchema } from "@/lib/schemas/components";

export const GET = withAuth({ permission: "read" }, async (_request, { auth }) =>
  NextResponse.json(await listComponentsOfProject({ db: db(), projectId: auth.projectId }), { headers: { "Cache-Control": "no-store" } }),
);

/** multipart/form-data with the archive in `code` (the first version), or JSON for the entry alone. */
export const POST = withAuth({ permission: "manage" }, async (request, { auth }) => {
  const { input, code } = await readComponentUpload(request, createComponentSchema);
  const component = await addComponent({ db: db(), auth, input, code });
  return NextResponse.json(component, { status: 201, headers: { Location: `/api/components/${encodeURIComponent(component.id)}` } });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
