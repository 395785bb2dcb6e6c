import { NextResponse } from "next/server";
import { otherMethods, publicOrigin, withErrors } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { toFileJson } from "@/lib/storage/files/file-views";
import { receivePreparedUpload } from "@/lib/storage/files/prepare-file";

/**
 * The local backend's upload URL from prepare: the signed query is the credential (no token), good
 * for one prepared file, for a short time. The raw body is the file.
 */
const upload = withErrors<{ id: string }>(async (request, { params }) => {
  const file = await receivePreparedUpload({ db: db(), request, fileId: params.id });
  return NextResponse.json(toFileJson(file, publicOrigin(request)), { status: 200 });
});

export const PUT = upload;
export const POST = upload;
export const { GET, DELETE, PATCH } = otherMethods(["PUT", "POST"]);
