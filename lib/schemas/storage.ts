// Request and response schemas of the Storage API (buckets, tables, files, Storage jobs), shared by
// route handlers, the dashboard, the OpenAPI document and tests.
import { z } from "zod";
import { BUCKET_STAGES, COLUMN_PATTERN, NAME_PATTERN, TABLE_ID_PATTERN } from "@/lib/storage/identifiers";
import { timeFilter } from "@/lib/schemas/jobs";
import { fileNameProblem, MAX_TAGS, TAG_PATTERN } from "@/lib/storage/files/names";
import { STORAGE_JOB_STATUSES, STORAGE_OPERATIONS } from "@/lib/storage/jobs/state";

const idString = z.string().regex(/^\d{1,18}$/, "must be a numeric id");
const runIdString = z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456");
const many = <T extends z.ZodType>(item: T, max = 100) =>
  z.union([item.transform((v) => [v] as z.output<T>[]), z.array(item).max(max)]).optional();
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const tableIdSchema = z.string().max(250).regex(TABLE_ID_PATTERN, "must be a table id such as in.c-main.orders");
export const columnNameSchema = z.string().regex(COLUMN_PATTERN, "must be a column name (letters, digits, underscores)");
export const tagSchema = z.string().regex(TAG_PATTERN, "tags are 1–64 letters, digits and _ . : -");
export const fileNameSchema = z.string().superRefine((name, ctx) => {
  const problem = fileNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// ---- buckets and tables -------------------------------------------------------------------

export const createBucketSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, "must be letters, digits, underscores and dashes (at most 96)"),
  stage: z.enum(BUCKET_STAGES),
  description: z.string().max(1000).optional(),
});
export type CreateBucketInput = z.output<typeof createBucketSchema>;

export const bucketSchema = z.object({
  id: z.string(),
  name: z.string(),
  stage: z.enum(BUCKET_STAGES),
  description: z.string(),
  created: z.string(),
  tablesCount: z.number(),
  rowsCount: z.number(),
  dataSizeBytes: z.number(),
});
export type BucketJson = z.infer<typeof bucketSchema>;

export const tableSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  bucket: z.object({ id: z.string(), stage: z.enum(BUCKET_STAGES), name: z.string() }),
  columns: z.array(z.string()),
  primaryKey: z.array(z.string()),
  rowsCount: z.number(),
  dataSizeBytes: z.number(),
  created: z.string(),
  lastImportDate: z.string().nullable(),
});
export type TableJson = z.infer<typeof tableSchema>;

export const listTablesSchema = z.strictObject({
  bucketId: z.string().max(120).optional(),
});

export const previewSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(["json", "csv"]).default("json"),
});
export const previewJsonSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type PreviewJson = z.infer<typeof previewJsonSchema>;

// ---- asynchronous table operations ---------------------------------------------------------

const primaryKeySchema = z
  .union([z.array(columnNameSchema).max(64), z.string().max(2000).transform((s) => (s.trim() === "" ? [] : s.split(",").map((c) => c.trim())))])
  .pipe(z.array(columnNameSchema).max(64));

export const IMPORT_ACTIONS = ["insert", "update", "upsert"] as const;

export const createTableAsyncSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, "must be letters, digits, underscores and dashes (at most 96)"),
  dataFileId: z.union([idString, z.number().int().positive().transform(String)]),
  primaryKey: primaryKeySchema.optional(),
});
export type CreateTableAsyncInput = z.output<typeof createTableAsyncSchema>;

export const importAsyncSchema = z.strictObject({
  dataFileId: z.union([idString, z.number().int().positive().transform(String)]),
  incremental: z.union([z.boolean(), flag]).default(false),
  // Ours (HarperDB's csv_data_load): what an incremental import does with rows whose key exists.
  action: z.enum(IMPORT_ACTIONS).optional(),
});
export type ImportAsyncInput = z.output<typeof importAsyncSchema>;

export const deleteRowsSchema = z
  .strictObject({
    whereColumn: columnNameSchema.optional(),
    whereValues: many(z.string().max(10_000), 1000),
    whereOperator: z.enum(["eq", "ne"]).default("eq"),
    // Ours: rows whose `timestampColumn` holds a time before `before` (HarperDB's delete_records_before).
    timestampColumn: columnNameSchema.optional(),
    before: timeFilter,
  })
  .refine((v) => (v.whereColumn === undefined) === (v.whereValues === undefined), {
    message: "whereColumn and whereValues go together",
    path: ["whereValues"],
  })
  .refine((v) => (v.timestampColumn === undefined) === (v.before === undefined), {
    message: "timestampColumn and before go together",
    path: ["before"],
  })
  .refine((v) => !(v.whereColumn !== undefined && v.before !== undefined), {
    message: "filter by whereColumn/whereValues or by timestampColumn/before, not both",
    path: ["before"],
  });
export type DeleteRowsInput = z.output<typeof deleteRowsSchema>;

// Keboola's export-async filters. A list comes as an array, `a[]=` or a comma-separated string.
const columnListSchema = z
  .union([z.array(columnNameSchema).max(1000), z.string().max(64_000).transform((s) => (s.trim() === "" ? [] : s.split(",").map((c) => c.trim())))])
  .pipe(z.array(columnNameSchema).max(1000));

export const exportAsyncSchema = z
  .strictObject({
    columns: columnListSchema.optional(),
    whereColumn: columnNameSchema.optional(),
    whereValues: many(z.string().max(10_000), 1000),
    // Keboola's Python client spells "ne" as "neq".
    whereOperator: z.enum(["eq", "ne", "neq"]).transform((o) => (o === "neq" ? "ne" : o)).default("eq"),
    limit: z.union([z.number(), z.string().regex(/^\d+$/, "must be a whole number").transform(Number)]).pipe(z.number().int().min(1).max(1_000_000_000)).optional(),
    // Jobdeck keeps no per-row change time (tables hold the rows' values only, no _timestamp),
    // so it cannot tell which rows changed since a time: refused rather than silently ignored.
    changedSince: z.unknown().optional(),
    changedUntil: z.unknown().optional(),
    // Sent by Keboola's clients; only the defaults are served.
    gzip: z.union([z.boolean(), flag, z.literal(0), z.literal(1)]).optional(),
    format: z.enum(["rfc"]).optional(),
  })
  .superRefine((v, ctx) => {
    for (const field of ["changedSince", "changedUntil"] as const) {
      if (v[field] !== undefined && v[field] !== "" && v[field] !== null) {
        ctx.addIssue({ code: "custom", path: [field], message: "Jobdeck keeps no per-row change time, so it cannot filter by change time; filter with whereColumn/whereValues instead" });
      }
    }
    if (v.gzip === true || v.gzip === 1) ctx.addIssue({ code: "custom", path: ["gzip"], message: "gzipped exports are not supported" });
    if ((v.whereColumn === undefined) !== (v.whereValues === undefined)) ctx.addIssue({ code: "custom", path: ["whereValues"], message: "whereColumn and whereValues go together" });
  })
  .transform(({ columns, whereColumn, whereValues, whereOperator, limit }) => ({
    ...(columns && columns.length > 0 && { columns }),
    ...(whereColumn !== undefined && { whereColumn, whereValues: whereValues ?? [], whereOperator }),
    ...(limit !== undefined && { limit }),
  }));
/** What an export keeps: the columns (chosen and ordered), a values filter, a row limit. */
export type ExportFilters = { columns?: string[]; whereColumn?: string; whereValues?: string[]; whereOperator?: "eq" | "ne"; limit?: number };
export type ExportAsyncInput = z.output<typeof exportAsyncSchema>;

// ---- files ---------------------------------------------------------------------------------

export const uploadFileQuerySchema = z.strictObject({
  name: fileNameSchema.optional(),
  tags: many(tagSchema, MAX_TAGS),
  // Ours: seconds until the file expires; `isPermanent` keeps it until deleted.
  expiresIn: z.coerce.number().int().min(1).max(10 * 365 * 86_400).optional(),
  isPermanent: flag.optional(),
});
export type UploadFileQuery = z.output<typeof uploadFileQuerySchema>;

export const listFilesSchema = z.strictObject({
  tags: many(tagSchema, MAX_TAGS),
  q: z.string().max(200).optional(),
  runId: runIdString.optional(),
  id: many(idString),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListFilesInput = z.output<typeof listFilesSchema>;

const tokenRef = z.object({ id: z.string(), description: z.string() });

export const fileSchema = z.object({
  id: z.string(),
  created: z.string(),
  name: z.string(),
  sizeBytes: z.number(),
  contentType: z.string(),
  tags: z.array(z.string()),
  runId: z.string().nullable(),
  sha256: z.string().nullable(),
  expiresAt: z.string().nullable(),
  url: z.string(),
  creatorToken: tokenRef,
});
export type FileJson = z.infer<typeof fileSchema>;

// ---- Storage jobs --------------------------------------------------------------------------

export const listStorageJobsSchema = z.strictObject({
  tableId: many(z.string().max(250)),
  status: many(z.enum(STORAGE_JOB_STATUSES)),
  operationName: many(z.enum(STORAGE_OPERATIONS)),
  runId: runIdString.optional(),
  id: many(idString),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListStorageJobsInput = z.output<typeof listStorageJobsSchema>;

export const storageJobSchema = z.object({
  id: z.string(),
  status: z.enum(STORAGE_JOB_STATUSES),
  url: z.string(),
  tableId: z.string().nullable(),
  operationName: z.enum(STORAGE_OPERATIONS),
  operationParams: z.record(z.string(), z.unknown()),
  createdTime: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  runId: z.string().nullable(),
  results: z.record(z.string(), z.unknown()).nullable(),
  creatorToken: tokenRef,
  metrics: z.object({ inBytes: z.number(), outBytes: z.number() }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  // Ours.
  isFinished: z.boolean(),
  durationSeconds: z.number().nullable(),
});
export type StorageJobJson = z.infer<typeof storageJobSchema>;
