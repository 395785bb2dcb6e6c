import "server-only";
// The local backend's answer to Keboola's upload credentials: a URL that lets its holder PUT the
// bytes of one prepared File, for a short time, and nothing else. Signed with a key derived from
// JOBDECK_SECRET_KEY, so any Jobdeck process of the installation accepts it.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { ApiError } from "@/lib/errors";
import { secretKey } from "@/lib/secrets/secrets";

export const UPLOAD_URL_SECONDS = 3600;

let key: Buffer | null = null;
function signingKey(): Buffer {
  return (key ??= Buffer.from(hkdfSync("sha256", secretKey(), Buffer.alloc(0), "jobdeck local file upload url", 32)));
}

function signature(fileId: string, projectId: number, expires: number): string {
  return createHmac("sha256", signingKey()).update(`${fileId}\n${projectId}\n${expires}`).digest("base64url");
}

export function uploadUrl(options: { origin: string; fileId: bigint; projectId: number; now?: Date }): { url: string; expiresAt: Date } {
  const expires = Math.floor((options.now ?? new Date()).getTime() / 1000) + UPLOAD_URL_SECONDS;
  const id = options.fileId.toString();
  const query = new URLSearchParams({ project: String(options.projectId), expires: String(expires), signature: signature(id, options.projectId, expires) });
  return { url: `${options.origin}/api/v2/storage/files/${id}/upload?${query}`, expiresAt: new Date(expires * 1000) };
}

/** The project the upload URL was made for, or a 401 (not a valid URL) / 403 (expired). */
export function verifyUploadUrl(options: { fileId: string; params: URLSearchParams; now?: Date }): number {
  const project = options.params.get("project") ?? "";
  const expires = options.params.get("expires") ?? "";
  const given = Buffer.from(options.params.get("signature") ?? "");
  if (!/^\d{1,10}$/.test(project) || !/^\d{1,12}$/.test(expires) || !/^\d{1,18}$/.test(options.fileId)) throw invalidCredential();
  const expected = Buffer.from(signature(options.fileId, Number(project), Number(expires)));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCredential();
  if (Number(expires) * 1000 <= (options.now ?? new Date()).getTime()) {
    throw new ApiError(403, "uploadCredentialExpired", "This upload URL has expired; prepare the file again for a new one.");
  }
  return Number(project);
}

const invalidCredential = () => new ApiError(401, "invalidUploadCredential", "The upload URL's signature is not valid for this file: use the URL that prepare answered, unchanged.");
