import { z } from "zod";
import { EVENT_TYPES } from "@/lib/events/types";
import { formFlag, formInt, formJsonObject } from "@/lib/schemas/form-values";

const idString = z.string().regex(/^\d{1,18}$/, "must be a numeric id");

export const listEventsSchema = z.strictObject({
  runId: z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456").optional(),
  // Ours: the run's descendants too (a parent's log with its children's).
  includeChildren: z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").optional(),
  sinceId: idString.optional(),
  maxId: idString.optional(),
  type: z.union([z.enum(EVENT_TYPES).transform((v) => [v]), z.array(z.enum(EVENT_TYPES)).max(4)]).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  // Keboola's paging by offset (sinceId/maxId page by id).
  offset: formInt(0, 100_000).default(0),
  // Keboola's switch to UUID event ids: Jobdeck's ids are numbers, so only false is served.
  forceUuid: formFlag.refine((v) => !v, "Jobdeck's event ids are numbers; leave forceUuid out").optional(),
  // Keboola's filters by component and run, as its clients send them.
  component: z.string().max(200).optional(),
});
export type ListEventsInput = z.output<typeof listEventsSchema>;

export const createEventSchema = z.strictObject({
  event: z.string().trim().min(1).max(200).default("ext.event"),
  message: z.string().trim().min(1, "message is required").max(10_000),
  description: z.string().max(10_000).optional(),
  component: z.string().trim().min(1).max(200).optional(),
  type: z.enum(EVENT_TYPES).default("info"),
  runId: z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456").optional(),
  params: formJsonObject.optional(),
  results: formJsonObject.optional(),
  // Keboola's: how long what the event reports took, in seconds (kept in params.duration).
  duration: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, "must be seconds").transform(Number)]).pipe(z.number().min(0).max(1e9)).optional(),
});

export const eventSchema = z.object({
  id: z.string(),
  event: z.string(),
  component: z.string().nullable(),
  message: z.string(),
  description: z.string(),
  type: z.enum(EVENT_TYPES),
  created: z.string(),
  runId: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  results: z.record(z.string(), z.unknown()),
});
export type EventJson = z.infer<typeof eventSchema>;
