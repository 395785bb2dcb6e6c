import { NextResponse } from "next/server";
import { otherMethods, publicOrigin, withErrors } from "@/lib/api/handler";
import { db } from "@/lib/db";

/**
 * Keboola's Storage API index (no token needed): the API's name and version, the services a client
 * finds by id (the Queue API at `queue`), and the components of the registry (the built-ins; a
 * project's own components are listed by GET components).
 */
export const GET = withErrors(async (request) => {
  const origin = publicOrigin(request);
  const components = await db().component.findMany({ where: { projectId: null }, orderBy: { id: "asc" }, select: { id: true, name: true, type: true, description: true } });
  return NextResponse.json(
    {
      api: "storage",
      version: "v2",
      revision: "jobdeck",
      documentation: `${origin}/api-docs`,
      services: [
        { id: "queue", url: `${origin}/api` },
        { id: "storage", url: `${origin}/api` },
        { id: "openapi", url: `${origin}/api/openapi.json` },
      ],
      features: [],
      components: components.map((c) => ({ ...c, uri: `${origin}/api/v2/storage/components/${c.id}`, flags: [], configurationSchema: {} })),
      urlTemplates: {
        orchestrationJob: `${origin}/jobs/{jobId}`,
        job: `${origin}/jobs/{jobId}`,
      },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
