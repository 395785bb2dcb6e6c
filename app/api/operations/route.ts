import { NextRequest, NextResponse } from "next/server";
import { otherMethods, readJson, TOKEN_HEADER, withAuth } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { forbidden } from "@/lib/errors";
import { idempotencyOf, startOnce } from "@/lib/jobs/idempotency";
import { harperBasicToken } from "@/lib/operations/basic-auth";
import { runHarperOperation, started } from "@/lib/operations/run-operation";
import { operationSchema } from "@/lib/schemas/operations";
import { parseRunIdHeader } from "@/lib/storage/jobs/enqueue-storage-job";

const READS = new Set(["get_job", "search_jobs_by_start_date"]);

/**
 * HarperDB-style operations; the ones that start a job answer 202 (200 and `Idempotent-Replayed`
 * for a retry with the same Idempotency-Key), reads 200. Reads need only "read".
 */
const handle = withAuth({ permission: "read" }, async (request, { auth, origin }) => {
  const input = await readJson(request, operationSchema);
  if (!READS.has(input.operation) && auth.permission !== "manage") {
    throw forbidden("This token may only read; starting a job needs a token that can manage jobs.");
  }
  const runId = parseRunIdHeader(request.headers.get("x-kbc-runid"));
  if (READS.has(input.operation)) return NextResponse.json(await runHarperOperation({ db: db(), auth, input, origin, runId }));
  const { value, replayed } = await startOnce({
    db: db(),
    projectId: auth.projectId,
    idempotency: idempotencyOf(request.headers, `POST /operations ${runId ?? ""}`, input),
    start: (reservation) => runHarperOperation({ db: db(), auth, input, origin, runId, reservation }),
    replay: async (id) => started({ id }),
  });
  return NextResponse.json(value, { status: replayed ? 200 : 202, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});

/** HarperDB's clients authenticate with Basic auth: the password is a Jobdeck token (the user name is not checked). */
export const POST = async (request: NextRequest, ctx: { params: Promise<Record<string, never>> }): Promise<Response> => {
  const token = request.headers.get(TOKEN_HEADER) === null ? harperBasicToken(request.headers.get("authorization")) : null;
  if (token === null) return handle(request, ctx);
  const headers = new Headers(request.headers);
  headers.set(TOKEN_HEADER, token);
  // The body streams on unread: readJson applies its size limit as usual.
  const init = { method: request.method, headers, body: request.body, duplex: "half" } as ConstructorParameters<typeof NextRequest>[1];
  return handle(new NextRequest(request.url, init), ctx);
};

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
