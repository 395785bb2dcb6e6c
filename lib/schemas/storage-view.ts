// The Storage pages' state in the URL (/storage/tables?table=…, /storage/files?q=…&fileId=…),
// parsed by the same schema on the server and in the browser. Bad values are dropped, not errors.
import { z } from "zod";

const one = <T extends z.ZodType>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => {
      const parsed = item.safeParse(Array.isArray(v) ? v[0] : v);
      return parsed.success ? (parsed.data as z.output<T>) : undefined;
    });

export const storageViewSchema = z.object({
  table: one(z.string().min(1).max(250)),
  q: one(z.string().trim().min(1).max(200)),
  fileId: one(z.string().regex(/^\d{1,18}$/)),
});
export type StorageView = z.output<typeof storageViewSchema>;

export function parseStorageView(raw: Record<string, string | string[] | undefined>): StorageView {
  const parsed = storageViewSchema.safeParse(raw);
  return parsed.success ? parsed.data : { table: undefined, q: undefined, fileId: undefined };
}
