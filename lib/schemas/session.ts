import { z } from "zod";

export const signInSchema = z.union([
  z.strictObject({ token: z.string().trim().min(1, "token is required").max(200) }),
  z.strictObject({ demo: z.literal(true) }),
]);

export const sessionSchema = z.object({
  project: z.object({ id: z.string(), name: z.string() }),
  token: z.object({ id: z.string(), description: z.string(), canManageJobs: z.boolean() }),
});
export type SessionJson = z.infer<typeof sessionSchema>;
