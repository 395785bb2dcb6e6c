import { NextResponse } from "next/server";
import { otherMethods, parseQuery, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { listFilesSchema, uploadFileQuerySchema } from "@/lib/schemas/storage";
import { toFileJson } from "@/lib/storage/files/file-views";
import { listFiles } from "@/lib/storage/files/list-files";
import { uploadFile } from "@/lib/storage/files/upload-file";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";

export const GET = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const input = parseQuery(request, listFilesSchema);
  const files = await listFiles({ db: db(), projectId: auth.projectId, input });
  return NextResponse.json(files.map((f) => toFileJson(f, origin)), { headers: { "Cache-Control": "no-store" } });
});

/** Uploads a file: multipart/form-data (one file part) or the raw body with `?name=`. */
export const POST = withAuth({ permission: "manage" }, async (request, { auth, origin }) => {
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  const query = parseQuery(request, uploadFileQuerySchema);
  const file = await uploadFile({ db: db(), auth, request, query, runId });
  const json = toFileJson({ ...file, token: { id: auth.tokenId, description: auth.tokenDescription } }, origin);
  return NextResponse.json(json, { status: 201, headers: { Location: json.url } });
});

export const { PUT, DELETE, PATCH } = otherMethods(["GET", "POST"]);
