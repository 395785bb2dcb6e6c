import { Readable } from "node:stream";
import { otherMethods, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { getFile } from "@/lib/storage/files/get-file";
import { contentDisposition } from "@/lib/storage/files/content-disposition";
import { openStoredFile } from "@/lib/storage/files/open-file";
import { ApiError } from "@/lib/errors";

/** Streams the file's bytes as an attachment under its name. */
export const GET = withAuth<{ id: string }>({ permission: "read" }, async (_request, { auth, params }) => {
  const file = await getFile({ db: db(), projectId: auth.projectId, id: params.id });
  if (file.isSliced) {
    throw new ApiError(409, "slicedFile", `File ${file.id} is sliced: its detail's url is the manifest; download the slices it lists.`);
  }
  const { stream, size } = await openStoredFile({ storagePath: file.storagePath });
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(size),
      "Content-Disposition": contentDisposition(file.name),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
