// Storage API triggers (Keboola's /v2/storage/triggers): run a configuration once every table it
// watches has been loaded since its last run, at most once per cool-down period.
import { z } from "zod";

const idText = (what: string) => z.coerce.string().trim().min(1, `${what} is required`).max(200).regex(/^[a-zA-Z0-9._-]+$/, `must be a ${what} such as 101`);
// A form sends one table as a plain field and several as a repeated key or `tableIds[]`.
const tableIds = z.preprocess(
  (value) => (typeof value === "string" ? [value] : value),
  z.array(z.string().trim().min(1).max(300).regex(/^(in|out)\.c-[^.]+\.[^.]+$/, "must be a table id such as in.c-shop.orders")).min(1, "name at least one table").max(100),
);
const fields = {
  runWithTokenId: z.coerce.number().int("must be a token id").positive("must be a token id"),
  component: idText("component id"),
  configurationId: idText("configuration id"),
  coolDownPeriodMinutes: z.coerce.number().int("must be whole minutes").min(1, "must be at least 1 minute").max(525_600, "must be at most a year (525600 minutes)"),
  tableIds,
};

export const createTriggerSchema = z.object(fields).strict();
export type CreateTriggerInput = z.output<typeof createTriggerSchema>;

export const updateTriggerSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: "name at least one field to change" });
export type UpdateTriggerInput = z.output<typeof updateTriggerSchema>;

export const triggerSchema = z.object({
  id: z.string(),
  runWithTokenId: z.number().int(),
  component: z.string(),
  configurationId: z.string(),
  lastRun: z.string().nullable(),
  creator: z.object({ tokenId: z.number().int(), tokenDescription: z.string() }),
  coolDownPeriodMinutes: z.number().int(),
  tables: z.array(z.object({ tableId: z.string() })),
  created: z.string(),
});
export type TriggerJson = z.infer<typeof triggerSchema>;
