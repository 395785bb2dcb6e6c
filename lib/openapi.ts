// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and shape
// responses, so the document cannot drift from the code.
import { z } from "zod";
import { componentSchema, configurationRowSchema, configurationSchema, createConfigurationSchema, createRowSchema, updateConfigurationSchema, updateRowSchema } from "@/lib/schemas/configurations";
import { createEventSchema, eventSchema, listEventsSchema } from "@/lib/schemas/events";
import { countJobsSchema, jobCountsSchema } from "@/lib/schemas/job-counts";
import { createJobSchema, jobSchema, searchJobsSchema } from "@/lib/schemas/jobs";
import { createTokenSchema, tokenSchema } from "@/lib/schemas/tokens";

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
  Component: componentSchema,
  Token: tokenSchema,
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
  413: "Request body too large",
  422: "Invalid input; `field` names it",
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
          description: "Header `X-KBC-RunId: <runId>` makes the new job a child of that job.",
          parameters: [{ name: "X-KBC-RunId", in: "header", required: false, schema: { type: "string" } }],
          requestBody: body(createJobSchema),
          responses: { ...ok("The created job", ref("Job"), "201"), ...errors(400, 401, 403, 413, 422) },
        },
      },
      "/jobs/{id}": {
        get: {
          operationId: "getJob",
          summary: "Job detail",
          parameters: [pathParam("id")],
          responses: { ...ok("The job", ref("Job")), ...errors(401, 404) },
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
      "/search/jobs": {
        get: {
          operationId: "searchJobs",
          summary: "List and search jobs",
          description: "Multi-value filters as `status[]=a&status[]=b` or `status=a&status=b`. The next page's cursor is in the `X-Next-Cursor` header.",
          parameters: queryParameters(searchJobsSchema),
          responses: {
            "200": {
              description: "Jobs",
              headers: { "X-Next-Cursor": { schema: { type: "string" }, description: "Cursor of the next page, when there is one" } },
              ...json({ type: "array", items: ref("Job") }),
            },
            ...errors(401, 422),
          },
        },
      },
      "/search/jobs/counts": {
        get: {
          operationId: "countJobs",
          summary: "How many jobs match, per status and per dashboard tab",
          description: "Takes the filters of `GET /search/jobs` (no paging or sorting) and counts the jobs they select.",
          parameters: queryParameters(countJobsSchema),
          responses: { ...ok("Counts", toSchema(jobCountsSchema, "output")), ...errors(401, 422) },
        },
      },
      "/v2/storage/events": {
        get: {
          operationId: "listEvents",
          summary: "Events, newest first (sinceId / maxId paging)",
          parameters: queryParameters(listEventsSchema),
          responses: { ...ok("Events", { type: "array", items: ref("Event") }), ...errors(401, 422) },
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
          description: "Change name, description, body, or disable it (`isDisabled: true`).",
          parameters: [pathParam("component"), pathParam("config")],
          requestBody: body(updateConfigurationSchema),
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 422) },
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
          responses: { ...ok("The configuration", ref("Configuration")), ...errors(400, 401, 403, 404, 422) },
        },
      },
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
