import { z } from "zod";
import { TOKEN_PERMISSIONS } from "@/lib/auth/permissions";

export const createTokenSchema = z.strictObject({
  description: z.string().trim().min(1, "description is required").max(200),
  // Keboola's name for "may run and kill jobs".
  canManageJobs: z.boolean().default(true),
});

export const tokenSchema = z.object({
  id: z.string(),
  description: z.string(),
  canManageJobs: z.boolean(),
  permission: z.enum(TOKEN_PERMISSIONS),
  created: z.string(),
  revoked: z.string().nullable(),
  // Only in the answer to the create call; never stored in plain text.
  token: z.string().optional(),
});
export type TokenJson = z.infer<typeof tokenSchema>;
