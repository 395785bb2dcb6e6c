// HarperDB-style operations (POST /api/operations): one JSON body, `operation` says which.
import { z } from "zod";
import { IMPORT_ACTIONS } from "@/lib/schemas/storage";

const target = {
  // HarperDB's schema is our bucket id (in.c-main); its table our table name, or a full table id.
  schema: z.string().max(120).optional(),
  table: z.string().min(1).max(250),
};
const isoDate = (field: string) =>
  z.string().max(64).refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(new Date(v).getTime()), `${field} must be an ISO 8601 date`);

export const operationSchema = z.discriminatedUnion("operation", [
  z.strictObject({
    operation: z.literal("csv_data_load"),
    ...target,
    data: z.string().min(1, "data: the CSV text is required").max(900_000),
    action: z.enum(IMPORT_ACTIONS).default("insert"),
  }),
  z.strictObject({ operation: z.literal("export_local"), ...target, format: z.literal("csv").default("csv") }),
  z.strictObject({
    operation: z.literal("delete_records_before"),
    ...target,
    date: isoDate("date"),
    // Ours: the column holding each row's time (HarperDB uses its own __createdtime__).
    column: z.string().max(64).default("created_at"),
  }),
  z.strictObject({ operation: z.literal("get_job"), id: z.union([z.string().regex(/^\d{1,18}$/, "must be a job id"), z.number().int().positive().transform(String)]) }),
  z.strictObject({ operation: z.literal("search_jobs_by_start_date"), from_date: isoDate("from_date"), to_date: isoDate("to_date") }),
]);
export type OperationInput = z.output<typeof operationSchema>;

export const HARPER_STATUSES = ["IN_PROGRESS", "COMPLETE", "ERROR"] as const;
export type HarperStatus = (typeof HARPER_STATUSES)[number];

export const startedJobSchema = z.object({ message: z.string(), job_id: z.string() });

export const harperJobSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(HARPER_STATUSES),
  message: z.string(),
  user: z.string(),
  table: z.string().nullable(),
  created_datetime: z.number(),
  start_datetime: z.number().nullable(),
  end_datetime: z.number().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  storage_job: z.string(),
});
export type HarperJob = z.infer<typeof harperJobSchema>;
