import "server-only";
// The body of POST /components and POST /components/{id}/versions: multipart/form-data (text
// fields, then the archive in the file field `code`) or JSON without code. JSON-valued fields
// (command, configurationSchema, settings) travel as JSON text in a form.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { readJson, zodToApiError } from "@/lib/api/handler";
import { ARCHIVE_LIMITS } from "@/lib/components/archive";
import type { CodeUpload } from "@/lib/components/versions";
import { ApiError, badRequest, invalidInput } from "@/lib/errors";

const JSON_FIELDS = new Set(["command", "configurationSchema", "settings"]);
const tooLarge = () => new ApiError(413, "payloadTooLarge", `The code archive is larger than ${ARCHIVE_LIMITS.maxArchiveBytes} bytes.`, "code");

/** The fields checked by `schema`, and the archive when one was sent. */
export async function readComponentUpload<S extends z.ZodType>(request: NextRequest, schema: S): Promise<{ input: z.output<S>; code: CodeUpload | null }> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("multipart/form-data")) return { input: await readJson(request, schema), code: null };
  if (Number(request.headers.get("content-length") ?? "0") > ARCHIVE_LIMITS.maxArchiveBytes + 1_000_000) throw tooLarge();
  const { fields, code } = await readMultipart(request);
  const values: Record<string, unknown> = {};
  for (const [name, list] of Object.entries(fields)) {
    if (name === "command" && (list.length > 1 || !list[0]!.trim().startsWith("["))) {
      values[name] = list; // command[]=python3&command[]=main.py
    } else if (JSON_FIELDS.has(name)) {
      try {
        values[name] = JSON.parse(list[0]!);
      } catch {
        throw invalidInput(`${name}: is not valid JSON`, name);
      }
    } else values[name] = list[0];
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw zodToApiError(parsed.error);
  return { input: parsed.data, code };
}

function readMultipart(request: NextRequest): Promise<{ fields: Record<string, string[]>; code: CodeUpload | null }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": request.headers.get("content-type") ?? "" },
        limits: { files: 1, fields: 50, fieldSize: 200_000, fileSize: ARCHIVE_LIMITS.maxArchiveBytes },
      });
    } catch {
      reject(badRequest("malformedMultipart", "The multipart body has no boundary."));
      return;
    }
    const fields: Record<string, string[]> = {};
    let code: CodeUpload | null = null;
    let failure: unknown = null;
    let reading: Promise<void> = Promise.resolve();
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) failure ??= invalidInput(`${name}: is longer than 200000 characters`, name.replace(/\[\]$/, ""));
      (fields[name.replace(/\[\]$/, "")] ??= []).push(value);
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "code") {
        failure ??= invalidInput(`${name}: unexpected file field; send the archive as the file field \`code\``, name);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      reading = new Promise((done) => {
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("limit", () => (failure ??= tooLarge()));
        stream.on("end", () => {
          code = { bytes: Buffer.concat(chunks), fileName: info.filename || "code" };
          done();
        });
      });
    });
    parser.on("error", () => reject(failure ?? badRequest("malformedMultipart", "The multipart body is malformed.")));
    parser.on("close", () => {
      void reading.then(() => (failure ? reject(failure) : resolve({ fields, code })));
    });
    const body = request.body ? Readable.fromWeb(request.body as unknown as WebReadableStream) : Readable.from([]);
    body.on("error", () => parser.destroy(badRequest("uploadIncomplete", "The upload ended before the whole body arrived."))).pipe(parser);
  });
}
