// HarperDB-style operations (POST /api/operations): one JSON body, `operation` says which.
import { z } from "zod";
import { IMPORT_ACTIONS } from "@/lib/schemas/storage";

const target = {
  // HarperDB's database (or its older name, schema) is our bucket: a bucket id (in.c-main), or a
  // plain name meaning the `in` bucket of that name ("dev" is in.c-dev). HarperDB's default
  // database "data" is in.c-data. Its table is our table name, or a full table id.
  database: z.string().max(120).optional(),
  schema: z.string().max(120).optional(),
  table: z.string().min(1).max(250),
};
const isoDate = (field: string) =>
  z.string().max(64).refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(new Date(v).getTime()), `${field} must be an ISO 8601 date`);
const action = z.enum(IMPORT_ACTIONS).default("insert");

/** An S3 object as HarperDB's import_from_s3 / export_to_s3 name it. */
const s3Object = z.strictObject({
  // Both keys, or neither: without them Jobdeck's own S3 Files backend (JOBDECK_S3_*) is used.
  aws_access_key_id: z.string().min(1).max(256).optional(),
  aws_secret_access_key: z.string().min(1).max(256).optional(),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
  key: z.string().min(1).max(1024),
  region: z.string().min(1).max(64).optional(),
  // Ours: an S3-compatible endpoint other than AWS (MinIO, R2), addressed path-style.
  endpoint: z.string().url().max(500).optional(),
});
const s3 = s3Object.refine((v) => (v.aws_access_key_id === undefined) === (v.aws_secret_access_key === undefined), {
  message: "aws_access_key_id and aws_secret_access_key go together",
  path: ["aws_access_key_id"],
});

export const operationSchema = z.discriminatedUnion("operation", [
  z.strictObject({ operation: z.literal("csv_data_load"), ...target, data: z.string().min(1, "data: the CSV text is required").max(900_000), action }),
  z.strictObject({ operation: z.literal("csv_file_load"), ...target, file_path: z.string().min(1).max(4096), action }),
  z.strictObject({ operation: z.literal("csv_url_load"), ...target, csv_url: z.string().url().max(2048), action }),
  z.strictObject({ operation: z.literal("import_from_s3"), ...target, s3, action }),
  z.strictObject({
    operation: z.literal("export_to_s3"),
    // The table to export: ours (database + table), or HarperDB's search_operation as `SELECT * FROM db.table`.
    database: target.database,
    schema: target.schema,
    table: target.table.optional(),
    search_operation: z.strictObject({ operation: z.literal("sql"), sql: z.string().max(500) }).optional(),
    format: z.literal("csv").default("csv"),
    s3,
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
export type S3ObjectInput = z.output<typeof s3>;

export const HARPER_STATUSES = ["IN_PROGRESS", "COMPLETE", "ERROR"] as const;
export type HarperStatus = (typeof HARPER_STATUSES)[number];

export const startedJobSchema = z.object({ message: z.string(), job_id: z.string() });

/** A job as HarperDB's get_job and search_jobs_by_start_date answer it (plus Jobdeck's table, result, storage_job). */
export const harperJobSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(HARPER_STATUSES),
  message: z.string(),
  user: z.string(),
  job_body: z.null(),
  created_datetime: z.number(),
  start_datetime: z.number().nullable(),
  end_datetime: z.number().nullable(),
  start_datetime_converted: z.string().nullable(),
  end_datetime_converted: z.string().nullable(),
  __createdtime__: z.number(),
  __updatedtime__: z.number(),
  table: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  storage_job: z.string(),
});
export type HarperJob = z.infer<typeof harperJobSchema>;
