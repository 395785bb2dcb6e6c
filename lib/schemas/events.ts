import { z } from "zod";
import { EVENT_TYPES } from "@/lib/events/types";

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
});
export type ListEventsInput = z.output<typeof listEventsSchema>;

export const createEventSchema = z.strictObject({
  event: z.string().trim().min(1).max(200).default("ext.event"),
  message: z.string().trim().min(1, "message is required").max(10_000),
  description: z.string().max(10_000).optional(),
  component: z.string().trim().min(1).max(200).optional(),
  type: z.enum(EVENT_TYPES).default("info"),
  runId: z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456").optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  results: z.record(z.string(), z.unknown()).optional(),
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
