// HarperDB's clients send `Authorization: Basic base64(user:password)`. On /api/operations the
// password is a Jobdeck token; the user name is only HarperDB's habit and is not checked.
// Null: no usable Basic credentials (the request then needs X-StorageApi-Token as usual).
export function harperBasicToken(header: string | null): string | null {
  const match = header === null ? null : /^Basic\s+([A-Za-z0-9+/=]{1,2000})\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  return password.length > 0 && password.length <= 500 && !/[\u0000-\u001f]/.test(password) ? password : null;
}
