// Request and response schemas of the Storage API (buckets, tables, files, Storage jobs), shared by
// route handlers, the dashboard, the OpenAPI document and tests.
import { z } from "zod";
import { BUCKET_STAGES, COLUMN_PATTERN, NAME_PATTERN, TABLE_ID_PATTERN } from "@/lib/storage/identifiers";
import { timeFilter } from "@/lib/schemas/jobs";
import { fileNameProblem, MAX_TAGS, TAG_PATTERN } from "@/lib/storage/files/names";
import { STORAGE_JOB_STATUSES, STORAGE_OPERATIONS } from "@/lib/storage/jobs/state";
import { commaList, formFlag, formInt } from "@/lib/schemas/form-values";

const idString = z.string().regex(/^\d{1,18}$/, "must be a numeric id");
const runIdString = z.string().regex(/^\d{1,18}(\.\d{1,18})*$/, "must be a run id such as 123.456");
const many = <T extends z.ZodType>(item: T, max = 100) =>
  z.union([item.transform((v) => [v] as z.output<T>[]), z.array(item).max(max)]).optional();
const flag = formFlag;

export const tableIdSchema = z.string().max(250).regex(TABLE_ID_PATTERN, "must be a table id such as in.c-main.orders");
export const columnNameSchema = z.string().regex(COLUMN_PATTERN, "must be a column name (letters, digits, underscores)");
export const tagSchema = z.string().regex(TAG_PATTERN, "tags are 1–64 letters, digits and _ . : -");
export const fileNameSchema = z.string().superRefine((name, ctx) => {
  const problem = fileNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// ---- buckets and tables -------------------------------------------------------------------

// Keboola's bucket create: `name` without the "c-" its id and name get, `stage` (in by default),
// `description`, `displayName`; `backend` names the one Jobdeck has (PostgreSQL) or is left out.
export const createBucketSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, "must be letters, digits, underscores and dashes (at most 96)"),
  stage: z.enum(BUCKET_STAGES).default("in"),
  description: z.string().max(1000).optional(),
  displayName: z.string().max(200).optional(),
  backend: z
    .string()
    .max(40)
    .refine((b) => b === "" || b.toLowerCase() === "postgresql" || b.toLowerCase() === "postgres", "Jobdeck keeps tables in PostgreSQL only; leave backend out")
    .optional(),
});
export type CreateBucketInput = z.output<typeof createBucketSchema>;

const attributeSchema = z.object({ name: z.string(), value: z.string(), protected: z.boolean() });

export const bucketSchema = z.object({
  id: z.string(),
  // Keboola's: "c-" and the name given at create ("c-shop"); displayName is the name itself.
  name: z.string(),
  displayName: z.string(),
  stage: z.enum(BUCKET_STAGES),
  description: z.string(),
  uri: z.string(),
  backend: z.string(),
  created: z.string(),
  lastChangeDate: z.string().nullable(),
  tables: z.array(z.object({ id: z.string(), name: z.string(), uri: z.string() })),
  attributes: z.array(attributeSchema),
  metadata: z.array(z.unknown()),
  tablesCount: z.number(),
  rowsCount: z.number(),
  dataSizeBytes: z.number(),
});

export const deleteBucketSchema = z.strictObject({
  force: formFlag.default(false),
  async: formFlag.default(false),
});
export type BucketJson = z.infer<typeof bucketSchema>;

export const metadataSchema = z.object({ id: z.string(), key: z.string(), value: z.string(), provider: z.string(), timestamp: z.string() });
export type MetadataJson = z.infer<typeof metadataSchema>;

export const tableSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  uri: z.string(),
  bucket: z.object({ id: z.string(), stage: z.enum(BUCKET_STAGES), name: z.string(), displayName: z.string() }),
  columns: z.array(z.string()),
  primaryKey: z.array(z.string()),
  rowsCount: z.number(),
  dataSizeBytes: z.number(),
  created: z.string(),
  lastImportDate: z.string().nullable(),
  lastChangeDate: z.string().nullable(),
  isAlias: z.boolean(),
  attributes: z.array(attributeSchema),
  metadata: z.array(metadataSchema),
  columnMetadata: z.record(z.string(), z.array(metadataSchema)),
});
export type TableJson = z.infer<typeof tableSchema>;

// Keboola's `include=attributes,columns,buckets,metadata,columnMetadata`: Jobdeck's tables always carry them.
const INCLUDES = ["attributes", "columns", "buckets", "metadata", "columnMetadata", "configuration", "rows", "state"] as const;
export const includeSchema = commaList(z.enum(INCLUDES), INCLUDES.length).optional();

export const listTablesSchema = z.strictObject({
  bucketId: z.string().max(120).optional(),
  include: includeSchema,
});

export const listBucketsSchema = z.strictObject({ include: includeSchema });

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

// Keboola's CSV options: a one-character delimiter and enclosure (empty: values are never enclosed).
const csvOptionFields = {
  delimiter: z.string().length(1, "must be one character").default(","),
  enclosure: z.string().max(1, "must be one character or empty").default('"'),
  escapedBy: z.string().max(1, "must be one character or empty").default(""),
};
function checkCsvOptions(v: { delimiter: string; enclosure: string; escapedBy: string }, ctx: z.RefinementCtx) {
  // escapedBy works inside enclosed values (COPY's ESCAPE), not MySQL-style in bare ones.
  if (v.escapedBy !== "" && v.enclosure === "") ctx.addIssue({ code: "custom", path: ["escapedBy"], message: "escapes values inside an enclosure only: give an enclosure too, or leave escapedBy empty" });
  if (v.escapedBy !== "" && v.escapedBy === v.delimiter) ctx.addIssue({ code: "custom", path: ["escapedBy"], message: "must differ from the delimiter" });
  if (v.enclosure !== "" && v.enclosure === v.delimiter) ctx.addIssue({ code: "custom", path: ["enclosure"], message: "must differ from the delimiter" });
  if (/[\r\n]/.test(v.delimiter + v.enclosure + v.escapedBy)) ctx.addIssue({ code: "custom", path: ["delimiter"], message: "a line break cannot delimit, enclose or escape" });
}
export type CsvOptions = { delimiter: string; enclosure: string; escapedBy: string; withoutHeaders?: boolean };

const dataFileIdSchema = z.union([idString, z.number().int().positive().transform(String)]);
// Sources Keboola has that Jobdeck does not: named in a 422 rather than ignored.
const otherSources = {
  dataUrl: z.unknown().optional(),
  snapshotId: z.unknown().optional(),
  dataWorkspaceId: z.unknown().optional(),
  dataTableName: z.unknown().optional(),
};
function checkSources(v: Record<string, unknown>, ctx: z.RefinementCtx) {
  for (const field of Object.keys(otherSources)) {
    if (v[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: "Jobdeck loads tables from Files only: upload the CSV and give dataFileId" });
  }
  if (v.dataFileId === undefined) ctx.addIssue({ code: "custom", path: ["dataFileId"], message: "dataFileId is required" });
}

export const createTableAsyncSchema = z
  .strictObject({
    name: z.string().regex(NAME_PATTERN, "must be letters, digits, underscores and dashes (at most 96)"),
    dataFileId: dataFileIdSchema.optional(),
    primaryKey: primaryKeySchema.optional(),
    // The file has no header and these are its columns (a sliced file's slices have none).
    columns: columnListSchemaForImport().optional(),
    ...csvOptionFields,
    ...otherSources,
  })
  .superRefine(checkCsvOptions)
  .superRefine(checkSources)
  .transform(({ name, dataFileId, primaryKey, columns, delimiter, enclosure, escapedBy }) => ({ name, dataFileId: dataFileId!, primaryKey, columns, csv: { delimiter, enclosure, escapedBy } }));
export type CreateTableAsyncInput = Omit<z.output<typeof createTableAsyncSchema>, "csv" | "columns"> & { csv?: CsvOptions; columns?: string[] };

export const importAsyncSchema = z
  .strictObject({
    dataFileId: dataFileIdSchema.optional(),
    incremental: flag.default(false),
    // Ours (HarperDB's csv_data_load): what an incremental import does with rows whose key exists.
    action: z.enum(IMPORT_ACTIONS).optional(),
    // The file has no header: its values are the table's columns, in order (or `columns`).
    withoutHeaders: flag.default(false),
    columns: columnListSchemaForImport().optional(),
    ...csvOptionFields,
    ...otherSources,
  })
  .superRefine(checkCsvOptions)
  .superRefine(checkSources)
  .transform(({ dataFileId, incremental, action, withoutHeaders, columns, delimiter, enclosure, escapedBy }) => ({
    dataFileId: dataFileId!,
    incremental,
    action,
    columns,
    csv: { delimiter, enclosure, escapedBy, withoutHeaders },
  }));

function columnListSchemaForImport() {
  return commaList(columnNameSchema, 1000);
}
export type ImportAsyncInput = { dataFileId: string; incremental: boolean; action?: (typeof IMPORT_ACTIONS)[number]; csv?: CsvOptions; columns?: string[] };

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

// Keboola's export-async and data-preview filters. A list comes as an array, `a[]=` or a comma-separated string.
const columnListSchema = commaList(columnNameSchema, 1000);

const filterFields = {
  columns: columnListSchema.optional(),
  whereColumn: columnNameSchema.optional(),
  whereValues: many(z.string().max(10_000), 1000),
  // Keboola's Python client spells "ne" as "neq".
  whereOperator: z.enum(["eq", "ne", "neq"]).transform((o) => (o === "neq" ? "ne" : o)).default("eq"),
  // Jobdeck keeps no per-row change time (tables hold the rows' values only, no _timestamp),
  // so it cannot tell which rows changed since a time: refused rather than silently ignored.
  changedSince: z.unknown().optional(),
  changedUntil: z.unknown().optional(),
};

type FilterFields = { changedSince?: unknown; changedUntil?: unknown; whereColumn?: string; whereValues?: string[] };
function checkFilters(v: FilterFields, ctx: z.RefinementCtx) {
  for (const field of ["changedSince", "changedUntil"] as const) {
    if (v[field] !== undefined && v[field] !== "" && v[field] !== null) {
      ctx.addIssue({ code: "custom", path: [field], message: "Jobdeck keeps no per-row change time, so it cannot filter by change time; filter with whereColumn/whereValues instead" });
    }
  }
  if ((v.whereColumn === undefined) !== (v.whereValues === undefined)) ctx.addIssue({ code: "custom", path: ["whereValues"], message: "whereColumn and whereValues go together" });
}

function filtersOf(v: { columns?: string[]; whereColumn?: string; whereValues?: string[]; whereOperator: "eq" | "ne"; limit?: number }): ExportFilters {
  return {
    ...(v.columns && v.columns.length > 0 && { columns: v.columns }),
    ...(v.whereColumn !== undefined && { whereColumn: v.whereColumn, whereValues: v.whereValues ?? [], whereOperator: v.whereOperator }),
    ...(v.limit !== undefined && { limit: v.limit }),
  };
}

export const exportAsyncSchema = z
  .strictObject({
    ...filterFields,
    limit: formInt(1, 1_000_000_000).optional(),
    gzip: formFlag.default(false),
    // Keboola's file formats: rfc (RFC 4180, every value quoted) is the one served.
    format: z.enum(["rfc", "escaped", "raw"]).default("rfc").refine((f) => f === "rfc", "Jobdeck exports RFC 4180 CSV only (format=rfc)"),
  })
  .superRefine(checkFilters)
  .transform((v): ExportFilters & { gzip?: true } => ({ ...filtersOf(v), ...(v.gzip && { gzip: true as const }) }));
export type ExportAsyncInput = z.output<typeof exportAsyncSchema>;

/** The first rows of a table, filtered as an export: CSV (Keboola's, every value quoted) or JSON. */
export const previewQuerySchema = z.strictObject({
  ...filterFields,
  limit: formInt(1, 1000).default(100),
  format: z.enum(["json", "csv", "rfc"]).default("csv"),
});
export const previewSchema = previewQuerySchema
  .superRefine(checkFilters)
  .transform((v) => ({ filters: filtersOf(v), limit: v.limit, format: v.format === "json" ? ("json" as const) : ("csv" as const) }));

/** What an export keeps: the columns (chosen and ordered), a values filter, a row limit. */
export type ExportFilters = { columns?: string[]; whereColumn?: string; whereValues?: string[]; whereOperator?: "eq" | "ne"; limit?: number };

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

// Keboola's clients send flags as 0/1 in forms and as booleans or numbers in JSON.
const loose01 = z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(["true", "false", "1", "0", ""])]).transform((v) => v === true || v === 1 || v === "true" || v === "1");

/** POST /v2/storage/files/prepare, as kbcstorage sends it (a form) or as JSON. */
export const prepareFileSchema = z
  .strictObject({
    name: fileNameSchema,
    sizeBytes: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    tags: many(tagSchema, MAX_TAGS),
    isPermanent: loose01.optional(),
    isSliced: loose01.optional(),
    // Jobdeck's store encrypts at rest where the store does (S3 SSE); both answers are accepted.
    isEncrypted: loose01.optional(),
    isPublic: loose01.optional(),
    notify: loose01.optional(),
    federationToken: loose01.optional(),
    // Ours: seconds until the file expires.
    expiresIn: z.coerce.number().int().min(1).max(10 * 365 * 86_400).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.isPublic) ctx.addIssue({ code: "custom", path: ["isPublic"], message: "Jobdeck has no public files: every download needs a token or a signed URL" });
    if (v.notify) ctx.addIssue({ code: "custom", path: ["notify"], message: "Jobdeck sends no notifications about uploaded files" });
  });
export type PrepareFileInput = z.output<typeof prepareFileSchema>;

/** GET /v2/storage/files/{id}: `federationToken` adds the keys to download straight from the store. */
export const fileDetailQuerySchema = z.strictObject({ federationToken: loose01.optional() });

const tokenRef = z.object({ id: z.string(), description: z.string() });

const s3Credentials = z.object({ AccessKeyId: z.string(), SecretAccessKey: z.string(), SessionToken: z.string(), Expiration: z.string() });

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
  // Keboola's fields. provider "aws": the bytes are in an S3-compatible store; "local": on Jobdeck's
  // own disk, reached only through Jobdeck's URLs.
  provider: z.enum(["aws", "local"]),
  region: z.string(),
  isSliced: z.boolean(),
  isPublic: z.boolean(),
  isEncrypted: z.boolean(),
  // "prepared": made by prepare, its bytes not seen yet.
  uploadState: z.enum(["prepared", "uploaded"]),
  maxAgeDays: z.number().nullable(),
  // With federationToken on the S3 backend: where the bytes are, and keys to read them.
  s3Path: z.object({ bucket: z.string(), key: z.string() }).optional(),
  credentials: s3Credentials.optional(),
  // Local backend: how to read the bytes (`url`, with the X-StorageApi-Token header).
  download: z.object({ method: z.literal("GET"), url: z.string(), needs: z.string() }).optional(),
});
export type FileJson = z.infer<typeof fileSchema>;

export const preparedFileSchema = fileSchema.extend({
  uploadParams: z.union([
    z.object({
      bucket: z.string(),
      key: z.string(),
      acl: z.literal("private"),
      "x-amz-server-side-encryption": z.literal("AES256"),
      credentials: s3Credentials.optional(),
      // A presigned PUT for clients without an S3 SDK.
      url: z.string(),
    }),
    z.object({ url: z.string(), method: z.literal("PUT"), expiresAt: z.string(), sizeBytes: z.number().nullable() }),
  ]),
});
export type PreparedFileJson = z.infer<typeof preparedFileSchema>;

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
  metrics: z.object({
    inBytes: z.number(),
    outBytes: z.number(),
    // Always present in answers; optional in the type for code that builds a job by hand.
    inCompressed: z.boolean().optional(),
    inBytesUncompressed: z.number().optional(),
    outCompressed: z.boolean().optional(),
    outBytesUncompressed: z.number().optional(),
  }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  // Ours.
  isFinished: z.boolean(),
  durationSeconds: z.number().nullable(),
});
export type StorageJobJson = z.infer<typeof storageJobSchema>;

// ---- metadata ------------------------------------------------------------------------------

const metadataValue = z.union([z.string().max(64_000), z.number().transform(String), z.boolean().transform(String)]);
const metadataKey = z.string().trim().min(1).max(255);
const metadataItemSchema = z.object({ key: metadataKey, value: metadataValue });

/**
 * Keboola's POST tables/{id}/metadata: `provider`, `metadata: [{key, value}]`, and column metadata as
 * `columnsMetadata: {column: [{key, value}]}` or, as the Python client sends it, a list of lists of
 * `{key, value, columnName}`.
 */
export const tableMetadataSchema = z
  .strictObject({
    provider: z.string().trim().min(1, "provider is required").max(255),
    metadata: z.array(metadataItemSchema).max(100).default([]),
    columnsMetadata: z
      .union([
        z.record(z.string(), z.array(metadataItemSchema).max(100)).transform((byColumn) => Object.entries(byColumn).flatMap(([columnName, items]) => items.map((i) => ({ ...i, columnName })))),
        z.array(z.union([z.array(metadataItemSchema.extend({ columnName: z.string().max(255) })), metadataItemSchema.extend({ columnName: z.string().max(255) })])).max(1000).transform((list) => list.flat()),
      ])
      .default([]),
  })
  .refine((v) => v.metadata.length + v.columnsMetadata.length > 0, { message: "give metadata or columnsMetadata", path: ["metadata"] });
