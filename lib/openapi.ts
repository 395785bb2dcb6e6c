// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and shape
// responses, so the document cannot drift from the code.
import { z } from "zod";
import { componentSchema, configurationRowSchema, configurationSchema, configurationVersionSchema, configurationVersionSummarySchema, copyConfigurationSchema, createConfigurationSchema, createRowSchema, listVersionsQuerySchema, sortRowsSchema, updateConfigurationSchema, updateRowSchema, versionActionSchema } from "@/lib/schemas/configurations";
import { jobGroupSchema, searchGroupedJobsSchema } from "@/lib/schemas/grouped-jobs";
import { componentVersionSchema, createComponentSchema, processComponentSchema, updateComponentSchema } from "@/lib/schemas/components";
import { createEventSchema, eventSchema, listEventsSchema } from "@/lib/schemas/events";
import { countJobsSchema, jobCountsSchema } from "@/lib/schemas/job-counts";
import { createJobSchema, jobSchema, runAgainSchema, searchJobsSchema } from "@/lib/schemas/jobs";
import { harperJobSchema, operationSchema, startedJobSchema } from "@/lib/schemas/operations";
import { bucketSchema, createBucketSchema, createTableAsyncSchema, deleteBucketSchema, deleteRowsSchema, fileDetailQuerySchema, fileSchema, importAsyncSchema, listFilesSchema, listStorageJobsSchema, listTablesSchema, prepareFileSchema, preparedFileSchema, previewJsonSchema, previewQuerySchema, storageJobSchema, tableSchema, uploadFileQuerySchema } from "@/lib/schemas/storage";
import { activateScheduleSchema, listSchedulesQuerySchema, previewScheduleQuerySchema, schedulePreviewSchema, scheduleSchema, schedulerConfigurationSchema, updateScheduleSchema } from "@/lib/schemas/schedules";
import { createTokenSchema, tokenSchema } from "@/lib/schemas/tokens";
import { createTriggerSchema, triggerSchema, updateTriggerSchema } from "@/lib/schemas/triggers";
import { createSubscriptionSchema, deliverySchema, subscriptionSchema } from "@/lib/schemas/notifications";

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const jsonSchema = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  // Embedded in the OpenAPI document, the schemas must not claim to be documents of their own.
  delete jsonSchema.$schema;
  return jsonSchema;
};

export const errorSchema = z.object({
  error: z.string().describe("What went wrong, for people"),
  code: z.string().describe("What went wrong, for programs"),
  status: z.number().int(),
  field: z.string().optional(),
});

const components: Record<string, z.ZodType> = {
  Job: jobSchema,
  Event: eventSchema,
  Configuration: configurationSchema,
  ConfigurationRow: configurationRowSchema,
  ConfigurationVersion: configurationVersionSchema,
  ConfigurationVersionSummary: configurationVersionSummarySchema,
  JobGroup: jobGroupSchema,
  Component: componentSchema,
  Token: tokenSchema,
  Bucket: bucketSchema,
  Table: tableSchema,
  File: fileSchema,
  PreparedFile: preparedFileSchema,
  StorageJob: storageJobSchema,
  HarperJob: harperJobSchema,
  ProcessComponent: processComponentSchema,
  ComponentVersion: componentVersionSchema,
  Subscription: subscriptionSchema,
  Delivery: deliverySchema,
  Schedule: scheduleSchema,
  SchedulePreview: schedulePreviewSchema,
  Trigger: triggerSchema,
  SchedulerConfiguration: schedulerConfigurationSchema,
  Error: errorSchema,
};

const ref = (name: keyof typeof components) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ content: { "application/json": { schema } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s] ?? "Error", ...json(ref("Error")) }]));
const ERROR_TEXT: Record<number, string> = {
  400: "Malformed request or an action the job's state does not allow",
  401: "Missing, invalid or revoked token",
  403: "The token may not do this",
  404: "Not found in this project",
  409: "Already exists",
  410: "The file's contents are gone",
  413: "Request body too large",
  422: "Invalid input; `field` names it",
  503: "The files folder cannot be written (permission)",
  507: "The disk holding files is full",
};

/** Query parameters from a zod object: one OpenAPI parameter per key, arrays exploded. */
function queryParameters(schema: z.ZodObject) {
  const objectSchema = toSchema(schema, "input") as { properties: Record<string, JsonSchema> };
  return Object.entries(objectSchema.properties).map(([name, s]) => ({ name, in: "query", required: false, schema: s, explode: true }));
}
const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

export function openApiDocument(serverUrl: string) {
  const body = (schema: z.ZodType) => ({ required: true, ...json(toSchema(schema, "input")) });
  const ok = (description: string, schema: JsonSchema, status = "200") => ({ [status]: { description, ...json(schema) } });
  const configPath = "/v2/storage/components/{component}/configs";
  // Polled answers carry an ETag; sent back as If-None-Match, it is answered 304 while nothing changed.
  const ifNoneMatch = { name: "If-None-Match", in: "header", required: false, schema: { type: "string" }, description: "The ETag of the answer held" };
  const notModified = { "304": { description: "Unchanged since the ETag sent in If-None-Match; no body" } };
  return {
    openapi: "3.1.0",
    info: {
      title: "Jobdeck API",
      version: "1",
      description:
        "Keboola-compatible Queue API and Storage API subset. Authenticate with the `X-StorageApi-Token` header. " +
        "Errors are JSON `{error, code, status}`.",
    },
    servers: [{ url: `${serverUrl}/api` }],
    security: [{ storageApiToken: [] }],
    components: {
      securitySchemes: { storageApiToken: { type: "apiKey", in: "header", name: "X-StorageApi-Token" } },
      schemas: Object.fromEntries(Object.entries(components).map(([name, s]) => [name, toSchema(s, "output")])),
    },
    paths: {
      "/jobs": {
        post: {
          operationId: "createJob",
          summary: "Create a job",
          description:
            "Header `X-KBC-RunId: <runId>` makes the new job a child of that job. Header `Idempotency-Key` (1–255 visible ASCII characters): the same key and body within 24 hours answer the job the first request made (200, `Idempotent-Replayed: true`) instead of a new one; the same key with another body is a 422 `idempotencyKeyReused`. Keys are per project; concurrent retries make one job.",
          parameters: [
            { name: "X-KBC-RunId", in: "header", required: false, schema: { type: "string" } },
            idempotencyKeyHeader,
          ],
          requestBody: body(createJobSchema),
          responses: { ...ok("The created job", ref("Job"), "201"), ...ok("The job an earlier request with this Idempotency-Key made", ref("Job")), ...errors(400, 401, 403, 413, 422) },
        },
      },
      "/jobs/{id}": {
        get: {
          operationId: "getJob",
          summary: "Job detail",
          parameters: [pathParam("id"), ifNoneMatch],
          responses: { ...ok("The job", ref("Job")), ...notModified, ...errors(401, 404) },
        },
      },
      "/jobs/{id}/kill": {
        post: {
          operationId: "killJob",
          summary: "Terminate a job and its descendants",
          parameters: [pathParam("id")],
          responses: { ...ok("The updated job", ref("Job")), ...errors(400, 401, 403, 404) },
        },
      },
      "/jobs/{id}/run-again": {
        post: {
          operationId: "runJobAgain",
          summary: "A new job with what this one ran",
          description:
            "Ours. Same component, configuration, rows, configData (encrypted values reused), mode, tag, backend and parallelism; the configuration as it is now. With `{\"scope\": \"orchestrationFromHere\"}` on a task of an orchestration: the orchestration again from the task's phase (that phase's tasks and every later phase, as they ran), the earlier phases left out; 400 `notInOrchestration` for any other job.",
          parameters: [pathParam("id")],
          requestBody: { required: false, content: { "application/json": { schema: toSchema(runAgainSchema, "input") } } },
          responses: { ...ok("The created job", ref("Job"), "201"), ...errors(400, 401, 403, 404, 422) },
        },
      },
      "/search/grouped-jobs": {
        get: {
          operationId: "searchGroupedJobs",
          summary: "The latest jobs of each configuration",
          description: "Keboola's grouped search: groups by `groupBy` (componentId, configId), `jobsPerGroup` newest jobs each, groups by their newest job first. The job filters of /search/jobs apply.",
          parameters: [...queryParameters(searchGroupedJobsSchema), ifNoneMatch],
          responses: { ...ok("Groups", { type: "array", items: ref("JobGroup") }), ...notModified, ...errors(401, 422) },
        },
      },
      "/search/jobs": {
        get: {
          operationId: "searchJobs",
          summary: "List and search jobs",
          description: "Multi-value filters as `status[]=a&status[]=b` or `status=a&status=b`. The next page's cursor is in the `X-Next-Cursor` header.",
          parameters: [...queryParameters(searchJobsSchema), ifNoneMatch],
          responses: {
            "200": {
              description: "Jobs",
              headers: { "X-Next-Cursor": { schema: { type: "string" }, description: "Cursor of the next page, when there is one" } },
              ...json({ type: "array", items: ref("Job") }),
            },
            ...notModified,
            ...errors(401, 422),
          },
        },
      },
      "/search/jobs/counts": {
        get: {
          operationId: "countJobs",
          summary: "How many jobs match, per status and per dashboard tab",
          description: "Takes the filters of `GET /search/jobs` (no paging or sorting) and counts the jobs they select.",
          parameters: [...queryParameters(countJobsSchema), ifNoneMatch],
          responses: { ...ok("Counts", toSchema(jobCountsSchema, "output")), ...notModified, ...errors(401, 422) },
        },
      },
      "/v2/storage/events": {
        get: {
          operationId: "listEvents",
          summary: "Events, newest first (sinceId / maxId paging)",
          parameters: [...queryParameters(listEventsSchema), ifNoneMatch],
          responses: { ...ok("Events", { type: "array", items: ref("Event") }), ...notModified, ...errors(401, 422) },
        },
        post: {
          operationId: "createEvent",
          summary: "Write an event",
          requestBody: body(createEventSchema),
          responses: { ...ok("The event", ref("Event"), "201"), ...errors(400, 401, 403, 413, 422) },
        },
      },
      "/v2/storage/components": {
        get: {
          operationId: "listComponents",
          summary: "Components with their configurations",
          responses: { ...ok("Components", { type: "array", items: ref("Component") }), ...errors(401) },
        },
      },
      [configPath]: {
        get: {
          operationId: "listConfigurations",
          parameters: [pathParam("component")],
          responses: { ...ok("Configurations", { type: "array", items: ref("Configuration") }), ...errors(401, 404) },
        },
        post: {
          operationId: "createConfiguration",
          parameters: [pathParam("component")],
          requestBody: body(createConfigurationSchema),
          responses: { ...ok("The configuration", ref("Configuration"), "201"), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      [`${configPath}/{config}`]: {
        get: {
          operationId: "getConfiguration",
          parameters: [pathParam("component"), pathParam("config")],
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(401, 404) },
        },
        put: {
          operationId: "updateConfiguration",
          parameters: [pathParam("component"), pathParam("config")],
          description: "Change name, description, body, or disable it (`isDisabled: true`). Each save is a new version. With `version` (the version read), a save over a newer one is refused with 409 `versionConflict`.",
          requestBody: body(updateConfigurationSchema),
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 409, 422) },
        },
        delete: {
          operationId: "deleteConfiguration",
          parameters: [pathParam("component"), pathParam("config")],
          responses: { "204": { description: "Deleted, with its rows and versions" }, ...errors(401, 403, 404) },
        },
      },
      [`${configPath}/{config}/versions`]: {
        get: {
          operationId: "listConfigurationVersions",
          summary: "Versions, newest first",
          parameters: [pathParam("component"), pathParam("config"), ...queryParameters(listVersionsQuerySchema)],
          responses: { ...ok("Versions", { type: "array", items: ref("ConfigurationVersionSummary") }), ...errors(401, 404, 422) },
        },
      },
      [`${configPath}/{config}/versions/{version}`]: {
        get: {
          operationId: "getConfigurationVersion",
          parameters: [pathParam("component"), pathParam("config"), pathParam("version")],
          responses: { ...ok("The configuration as that version left it (secrets as ***)", ref("ConfigurationVersion")), ...errors(401, 404) },
        },
      },
      [`${configPath}/{config}/versions/{version}/rollback`]: {
        post: {
          operationId: "rollbackConfigurationVersion",
          description: "Makes the configuration (rows included) what the version was, as a new version.",
          parameters: [pathParam("component"), pathParam("config"), pathParam("version")],
          requestBody: body(versionActionSchema),
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      [`${configPath}/{config}/versions/{version}/create`]: {
        post: {
          operationId: "copyConfigurationVersion",
          description: "A new configuration made from the version (a copy), rows included.",
          parameters: [pathParam("component"), pathParam("config"), pathParam("version")],
          requestBody: body(copyConfigurationSchema),
          responses: { ...ok("The new configuration", ref("Configuration"), "201"), ...errors(400, 401, 403, 404, 422) },
        },
      },
      [`${configPath}/{config}/rows-sort`]: {
        put: {
          operationId: "sortConfigurationRows",
          parameters: [pathParam("component"), pathParam("config")],
          requestBody: body(sortRowsSchema),
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      [`${configPath}/{config}/rows`]: {
        get: {
          operationId: "listConfigurationRows",
          parameters: [pathParam("component"), pathParam("config")],
          responses: { ...ok("Rows", { type: "array", items: ref("ConfigurationRow") }), ...errors(401, 404) },
        },
        post: {
          operationId: "createConfigurationRow",
          parameters: [pathParam("component"), pathParam("config")],
          requestBody: body(createRowSchema),
          responses: { ...ok("The configuration with the new row", ref("Configuration"), "201"), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      [`${configPath}/{config}/rows/{row}`]: {
        put: {
          operationId: "updateConfigurationRow",
          parameters: [pathParam("component"), pathParam("config"), pathParam("row")],
          requestBody: body(updateRowSchema),
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 409, 422) },
        },
        delete: {
          operationId: "deleteConfigurationRow",
          parameters: [pathParam("component"), pathParam("config"), pathParam("row")],
          requestBody: { required: false, ...json(toSchema(versionActionSchema, "input")) },
          responses: { ...ok("The configuration without the row", ref("Configuration")), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      ...storagePaths({ body, ok }),
      ...componentPaths({ body, ok }),
      ...notificationPaths({ body, ok }),
      ...schedulePaths({ body, ok }),
      ...triggerPaths({ body, ok }),
      "/tokens": {
        get: {
          operationId: "listTokens",
          responses: { ...ok("Tokens of the project (never their secrets)", { type: "array", items: ref("Token") }), ...errors(401, 403) },
        },
        post: {
          operationId: "createToken",
          description: "The answer carries the secret once; only its hash is stored.",
          requestBody: body(createTokenSchema),
          responses: { ...ok("The token with its secret", ref("Token"), "201"), ...errors(400, 401, 403, 422) },
        },
      },
      "/tokens/{id}": {
        delete: {
          operationId: "revokeToken",
          parameters: [pathParam("id")],
          responses: { ...ok("The revoked token", ref("Token")), ...errors(401, 403, 404) },
        },
      },
      "/health": {
        get: {
          operationId: "health",
          security: [],
          responses: { "200": { description: "The server and its database answer" } },
        },
      },
    },
  };
}

type Helpers = {
  body: (schema: z.ZodType) => object;
  ok: (description: string, schema: JsonSchema, status?: string) => object;
};

const idempotencyKeyHeader = { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 255 } };
const STORAGE_IDEMPOTENCY =
  " Header `Idempotency-Key` (1–255 visible ASCII characters): the same key and request within 24 hours answer the Storage job the first request made (200, `Idempotent-Replayed: true`); the same key with another request is a 422 `idempotencyKeyReused`; a retry while the first request is still being handled is a 409 `idempotencyKeyInProgress` (send it again); a request that fails leaves the key free.";

/** Buckets, tables, files, Storage jobs and the HarperDB-style operations. */
function storagePaths({ body, ok }: Helpers) {
  const runIdHeader = { name: "X-KBC-RunId", in: "header", required: false, schema: { type: "string" } };
  const accepted = (summary: string, operationId: string, extra: object = {}) => ({
    operationId,
    summary,
    description: `Answers at once with the Storage job (\`waiting\`); poll \`GET /v2/storage/jobs/{id}\` until it is \`success\` or \`error\`.${STORAGE_IDEMPOTENCY}`,
    ...extra,
    parameters: [...(((extra as { parameters?: object[] }).parameters) ?? []), runIdHeader, idempotencyKeyHeader],
    responses: {
      ...ok("The queued Storage job", ref("StorageJob"), "202"),
      ...ok("The Storage job an earlier request with this Idempotency-Key made", ref("StorageJob")),
      ...errors(400, 401, 403, 404, 409, 413, 422),
    },
  });
  const table = pathParam("tableId");
  return {
    "/v2/storage/buckets": {
      get: { operationId: "listBuckets", responses: { ...ok("Buckets", { type: "array", items: ref("Bucket") }), ...errors(401) } },
      post: { operationId: "createBucket", requestBody: body(createBucketSchema), responses: { ...ok("The bucket", ref("Bucket"), "201"), ...errors(400, 401, 403, 409, 413, 422) } },
    },
    "/v2/storage/buckets/{bucketId}": {
      get: { operationId: "getBucket", parameters: [pathParam("bucketId")], responses: { ...ok("The bucket", ref("Bucket")), ...errors(401, 404) } },
      delete: {
        operationId: "deleteBucket",
        summary: "Delete an empty bucket, or with `force=true` its tables too",
        description: `204 once it is gone; with \`async=true\` a bucketDelete Storage job (202).${STORAGE_IDEMPOTENCY}`,
        parameters: [pathParam("bucketId"), ...queryParameters(deleteBucketSchema), runIdHeader, idempotencyKeyHeader],
        responses: {
          "204": { description: "Deleted" },
          ...ok("The queued bucketDelete Storage job (`async=true`)", ref("StorageJob"), "202"),
          ...ok("The Storage job an earlier request with this Idempotency-Key made", ref("StorageJob")),
          ...errors(400, 401, 403, 404, 409, 422),
        },
      },
    },
    "/v2/storage/buckets/{bucketId}/tables-async": {
      post: accepted("Create a table from a CSV file (its header names the columns)", "createTableAsync", { parameters: [pathParam("bucketId")], requestBody: body(createTableAsyncSchema) }),
    },
    "/v2/storage/tables": {
      get: { operationId: "listTables", parameters: queryParameters(listTablesSchema), responses: { ...ok("Tables", { type: "array", items: ref("Table") }), ...errors(401, 422) } },
    },
    "/v2/storage/tables/{tableId}": {
      get: { operationId: "getTable", parameters: [table], responses: { ...ok("The table", ref("Table")), ...errors(401, 404) } },
      delete: accepted("Drop the table", "dropTable", { parameters: [table] }),
    },
    "/v2/storage/tables/{tableId}/data-preview": {
      get: {
        operationId: "previewTable",
        parameters: [table, ...queryParameters(previewQuerySchema)],
        responses: {
          "200": {
            description: "The first rows",
            content: { "application/json": { schema: toSchema(previewJsonSchema, "output") }, "text/csv": { schema: { type: "string" } } },
          },
          ...errors(401, 404, 422),
        },
      },
    },
    "/v2/storage/tables/{tableId}/import-async": {
      post: accepted("Import a CSV file: full (replace) or incremental (append, or by primary key upsert)", "importTableAsync", { parameters: [table], requestBody: body(importAsyncSchema) }),
    },
    "/v2/storage/tables/{tableId}/export-async": {
      post: accepted("Export the table to a CSV file (`results.file.id`)", "exportTableAsync", { parameters: [table] }),
    },
    "/v2/storage/tables/{tableId}/snapshots": {
      post: accepted("Snapshot the table as a permanent CSV file (`results.file.id`)", "createTableSnapshot", { parameters: [table] }),
    },
    "/v2/storage/tables/{tableId}/rows": {
      delete: accepted("Delete rows by `whereColumn`/`whereValues[]`, or by `timestampColumn`/`before`", "deleteTableRows", { parameters: [table, ...queryParameters(deleteRowsSchema as unknown as z.ZodObject)] }),
    },
    "/v2/storage/jobs": {
      get: { operationId: "listStorageJobs", summary: "Storage jobs, newest first", parameters: queryParameters(listStorageJobsSchema), responses: { ...ok("Storage jobs", { type: "array", items: ref("StorageJob") }), ...errors(401, 422) } },
    },
    "/v2/storage/jobs/{id}": {
      get: { operationId: "getStorageJob", parameters: [pathParam("id")], responses: { ...ok("The Storage job", ref("StorageJob")), ...errors(401, 404) } },
    },
    "/v2/storage/files": {
      get: { operationId: "listFiles", summary: "Files that have not expired, newest first", parameters: queryParameters(listFilesSchema), responses: { ...ok("Files", { type: "array", items: ref("File") }), ...errors(401, 422) } },
      post: {
        operationId: "uploadFile",
        summary: "Upload a file: multipart/form-data (fields, then one file part) or the raw body with `?name=`",
        parameters: [...queryParameters(uploadFileQuerySchema), runIdHeader],
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": { schema: { type: "object", properties: { name: { type: "string" }, tags: { type: "array", items: { type: "string" } }, file: { type: "string", format: "binary" } } } },
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
          },
        },
        responses: { ...ok("The file", ref("File"), "201"), ...errors(400, 401, 403, 413, 422, 503, 507) },
      },
    },
    "/v2/storage/files/prepare": {
      post: {
        operationId: "prepareFile",
        summary:
          "Keboola's upload step one: a File to be, and where its bytes go. S3 backend: `provider: aws` with `uploadParams` (bucket, key, and with `federationToken` the keys) to put the object straight into the bucket. Local backend: `provider: local` with a signed `uploadParams.url` to PUT the bytes to. The file becomes `uploaded` when its bytes are seen with the prepared `sizeBytes`.",
        parameters: [runIdHeader],
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": { schema: toSchema(prepareFileSchema, "input") },
            "application/json": { schema: toSchema(prepareFileSchema, "input") },
          },
        },
        responses: { ...ok("The prepared file", ref("PreparedFile"), "201"), ...errors(401, 403, 413, 422) },
      },
    },
    "/v2/storage/files/{id}/upload": {
      put: {
        operationId: "uploadPreparedFile",
        summary: "Local backend: the bytes of a prepared file, at the signed URL prepare answered (no token: the signature is the credential, for one file, for an hour)",
        parameters: [pathParam("id"), ...["project", "expires", "signature"].map((name) => ({ name, in: "query", required: true, schema: { type: "string" } }))],
        requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
        responses: { ...ok("The uploaded file", ref("File")), ...errors(400, 401, 403, 404, 409, 413, 422, 503, 507) },
      },
    },
    "/v2/storage/files/{id}": {
      get: {
        operationId: "getFile",
        summary: "A file. On S3, `url` is a signed GET of the object; with `federationToken=1` also `s3Path` and `credentials` to read it directly",
        parameters: [pathParam("id"), ...queryParameters(fileDetailQuerySchema)],
        responses: { ...ok("The file", ref("File")), ...errors(401, 404, 422) },
      },
      delete: { operationId: "deleteFile", parameters: [pathParam("id")], responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404) } },
    },
    "/v2/storage/files/{id}/download": {
      get: {
        operationId: "downloadFile",
        parameters: [pathParam("id")],
        description:
          "A sliced file downloads as its slices in the manifest's order, each decompressed, as one file (a line break added where a slice lacks one); 409 when its manifest or a slice cannot be read (the message names it).",
        responses: { "200": { description: "The file's bytes as an attachment", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, ...errors(401, 404, 409, 410) },
      },
    },
    "/operations": {
      post: {
        operationId: "harperOperation",
        summary:
          "HarperDB-style job operations: csv_data_load, csv_file_load (inside JOBDECK_CSV_LOAD_DIR), csv_url_load, import_from_s3, export_to_s3, export_local, delete_records_before, get_job, search_jobs_by_start_date. Takes HarperDB's Basic auth with a Jobdeck token as the password.",
        description: `The operations that start a job take the Idempotency-Key header as the Storage API does.${STORAGE_IDEMPOTENCY}`,
        parameters: [runIdHeader, idempotencyKeyHeader],
        requestBody: body(operationSchema),
        responses: {
          "202": { description: "A job was started", content: { "application/json": { schema: toSchema(startedJobSchema, "output") } } },
          ...ok("Jobs (get_job, search_jobs_by_start_date), or the job an earlier request with this Idempotency-Key started", {
            oneOf: [{ type: "array", items: ref("HarperJob") }, toSchema(startedJobSchema, "output")],
          }),
          ...errors(400, 401, 403, 404, 409, 413, 422),
        },
      },
    },
  };
}

/** Process components: people's own programs and their versions (lib/components). */
function componentPaths({ body, ok }: Helpers) {
  const id = pathParam("id");
  // Form fields are text: command, configurationSchema and settings are JSON in a string.
  const form = (properties: Record<string, JsonSchema>, required: string[]) => ({
    "multipart/form-data": { schema: { type: "object", required, properties: { ...properties, code: { type: "string", format: "binary", description: "The code: a .zip or .tar.gz (≤ 100 MB, ≤ 500 MB unpacked, ≤ 20,000 entries)" } } } },
  });
  const jsonText = (description: string) => ({ type: "string", description });
  const versionFields = {
    command: jsonText('argv as a JSON array, e.g. ["python3", "main.py"]; argv[0] is a program on PATH or a file of the code'),
    tag: { type: "string", description: "Default v<N>" },
  };
  return {
    "/components": {
      get: {
        operationId: "listProcessComponents",
        summary: "The built-in components and this project's own",
        responses: { ...ok("Components, with their versions", { type: "array", items: ref("ProcessComponent") }), ...errors(401) },
      },
      post: {
        operationId: "addComponent",
        summary: "Add a process component; with the code in `code`, its first version",
        description: "multipart/form-data (fields, then the file `code`), or JSON without code for the entry alone.",
        requestBody: {
          required: true,
          content: {
            ...form(
              {
                id: { type: "string" },
                name: { type: "string" },
                type: { type: "string" },
                description: { type: "string" },
                configurationSchema: jsonText("JSON Schema for a configuration's `parameters`"),
                settings: jsonText("JSON: timeoutSeconds, memoryMb, dataFolderMb, network, forwardToken, defaultBucket"),
                ...versionFields,
              },
              ["id", "name", "command", "code"],
            ),
            ...(body(createComponentSchema) as { content: object }).content,
          },
        },
        responses: { ...ok("The component", ref("ProcessComponent"), "201"), ...errors(400, 401, 403, 409, 413, 422) },
      },
    },
    "/components/{id}": {
      get: { operationId: "getComponent", parameters: [id], responses: { ...ok("The component", ref("ProcessComponent")), ...errors(401, 404) } },
      patch: {
        operationId: "updateComponent",
        parameters: [id],
        requestBody: body(updateComponentSchema),
        responses: { ...ok("The component", ref("ProcessComponent")), ...errors(400, 401, 403, 404, 422) },
      },
      delete: {
        operationId: "deleteComponent",
        summary: "Delete a component and its versions; refused while configurations use it",
        parameters: [id],
        responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 409) },
      },
    },
    "/components/{id}/versions": {
      get: { operationId: "listComponentVersions", parameters: [id], responses: { ...ok("Versions, newest first", { type: "array", items: ref("ComponentVersion") }), ...errors(401, 404) } },
      post: {
        operationId: "addComponentVersion",
        summary: "Upload a new version of the code; without a command, the newest version's",
        parameters: [id],
        requestBody: { required: true, content: form(versionFields, ["code"]) },
        responses: { ...ok("The version", ref("ComponentVersion"), "201"), ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
  };
}

/** Project subscriptions (Keboola's Notification API shape) and their delivery log. */
function notificationPaths({ body, ok }: Helpers) {
  const id = pathParam("id");
  return {
    "/project-subscriptions": {
      get: {
        operationId: "listProjectSubscriptions",
        responses: { ...ok("The project's subscriptions, newest first, each with its newest delivery", { type: "array", items: ref("Subscription") }), ...errors(401, 403) },
      },
      post: {
        operationId: "createProjectSubscription",
        description:
          "Subscribes an e-mail address or a webhook URL to a job event. A webhook's answer carries its signing `secret` once: every delivery is a POST " +
          "with `X-Jobdeck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" with the secret>`, `X-Jobdeck-Delivery` (the same on every " +
          "attempt: drop duplicates by it) and `X-Jobdeck-Event`. Private, loopback and link-local targets are refused when sent unless JOBDECK_WEBHOOK_ALLOW_HOSTS lists them.",
        requestBody: body(createSubscriptionSchema),
        responses: { ...ok("The subscription (with the webhook's secret, this once)", ref("Subscription"), "201"), ...errors(400, 401, 403, 413, 422) },
      },
    },
    "/project-subscriptions/{id}": {
      get: { operationId: "getProjectSubscription", parameters: [id], responses: { ...ok("The subscription", ref("Subscription")), ...errors(401, 403, 404) } },
      delete: { operationId: "deleteProjectSubscription", parameters: [id], responses: { "204": { description: "Deleted, with its delivery log" }, ...errors(401, 403, 404) } },
    },
    "/project-subscriptions/{id}/deliveries": {
      get: {
        operationId: "listSubscriptionDeliveries",
        parameters: [id],
        responses: { ...ok("The newest 50 deliveries with every attempt (time, status code, error)", { type: "array", items: ref("Delivery") }), ...errors(401, 403, 404) },
      },
    },
    "/project-subscriptions/{id}/test": {
      post: { operationId: "sendSubscriptionTest", parameters: [id], responses: { ...ok("A test delivery, queued", ref("Delivery"), "202"), ...errors(401, 403, 404) } },
    },
    "/project-subscriptions/{id}/deliveries/{deliveryId}/send-again": {
      post: {
        operationId: "sendDeliveryAgain",
        description: "Queues a delivered or failed delivery again, with the same id.",
        parameters: [id, pathParam("deliveryId")],
        responses: { ...ok("The delivery, queued", ref("Delivery"), "202"), ...errors(401, 403, 404, 409) },
      },
    },
  };
}

/** Keboola's Scheduler API: a keboola.scheduler configuration (`SchedulerConfiguration`) activated as a schedule. */
function schedulePaths({ body, ok }: Helpers) {
  const id = pathParam("id");
  return {
    "/schedules": {
      get: {
        operationId: "listSchedules",
        parameters: queryParameters(listSchedulesQuerySchema),
        responses: { ...ok("Schedules of the project, each with its latest executions", { type: "array", items: ref("Schedule") }), ...errors(401, 422) },
      },
      post: {
        operationId: "activateSchedule",
        summary: "Activate a keboola.scheduler configuration ({configurationId}), or create one and activate it ({name, configuration})",
        description: "Activating an already active configuration again re-reads it (200). The schedule gets its own token. Missed slots while nothing ran become one catch-up run.",
        requestBody: body(activateScheduleSchema),
        responses: { ...ok("The new schedule", ref("Schedule"), "201"), ...ok("The schedule, re-read from its configuration", ref("Schedule")), ...errors(400, 401, 403, 404, 422) },
      },
    },
    "/schedules/preview": {
      get: {
        operationId: "previewSchedule",
        summary: "A cronTab in a time zone read for people, with its next five runs, as the scheduler reads it (the schedule editor's preview)",
        parameters: queryParameters(previewScheduleQuerySchema),
        responses: { ...ok("The expression read for people and its next five runs", ref("SchedulePreview")), ...errors(401, 422) },
      },
    },
    "/schedules/{id}": {
      get: { operationId: "getSchedule", parameters: [id], responses: { ...ok("The schedule", ref("Schedule")), ...errors(401, 404) } },
      patch: {
        operationId: "updateSchedule",
        summary: "Pause or resume (state), rename, or replace the configuration body; the configuration gets a new version",
        parameters: [id],
        requestBody: body(updateScheduleSchema),
        responses: { ...ok("The schedule", ref("Schedule")), ...errors(400, 401, 403, 404, 422) },
      },
      delete: {
        operationId: "deleteSchedule",
        summary: "Stop the schedule and revoke its token; the configuration stays",
        parameters: [id],
        responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404) },
      },
    },
  };
}

/** Keboola's Storage triggers: run a configuration once all its tables were loaded since its last run. */
function triggerPaths({ body, ok }: Helpers) {
  const id = pathParam("id");
  return {
    "/v2/storage/triggers": {
      get: { operationId: "listTriggers", responses: { ...ok("Triggers of the project", { type: "array", items: ref("Trigger") }), ...errors(401) } },
      post: {
        operationId: "createTrigger",
        summary: "Run a configuration with a token once every listed table has been loaded since the trigger's last run, at most once per cool-down",
        description: "Checked by the scheduler on every tick (JOBDECK_SCHEDULER_TICK_MS): one job per round of loads however many processes run. Form bodies as Keboola's client sends them are accepted.",
        requestBody: body(createTriggerSchema),
        responses: { ...ok("The trigger", ref("Trigger"), "201"), ...errors(400, 401, 403, 404, 413, 422) },
      },
    },
    "/v2/storage/triggers/{id}": {
      get: { operationId: "getTrigger", parameters: [id], responses: { ...ok("The trigger", ref("Trigger")), ...errors(401, 404) } },
      put: { operationId: "updateTrigger", parameters: [id], requestBody: body(updateTriggerSchema), responses: { ...ok("The trigger", ref("Trigger")), ...errors(400, 401, 403, 404, 413, 422) } },
      delete: { operationId: "deleteTrigger", parameters: [id], responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404) } },
    },
  };
}
