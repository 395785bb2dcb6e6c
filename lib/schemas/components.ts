// Process components (people's own programs): what the API accepts and answers. Shared by the
// routes, the CLI (scripts/components.ts) and the OpenAPI document.
import { z } from "zod";

// Keboola's `vendor.name` ids: keboola.ex-http, acme.ex-weather.
export const COMPONENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/i;
export const componentIdSchema = z
  .string()
  .max(100, "must be at most 100 characters")
  .regex(COMPONENT_ID_PATTERN, "must look like vendor.name: letters, digits and dashes in two or more dot-separated parts");

// Orchestrators are containers the engine expands; a program cannot be one.
export const PROCESS_COMPONENT_TYPES = ["extractor", "writer", "transformation", "application", "other"] as const;
export const componentTypeSchema = z.enum(PROCESS_COMPONENT_TYPES);

export const tagSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be 1–100 letters, digits, dots, dashes or underscores, starting with a letter or digit");

/**
 * argv, run with the unpacked code as the working directory: argv[0] is a program on the sandbox's
 * PATH (`python3`) or a file of the code folder (`./run.sh`, `bin/run`); absolute paths are refused.
 */
export const commandSchema = z
  .array(
    z
      .string()
      .min(1, "must not be empty")
      .max(4096)
      .refine((s) => !s.includes("\u0000"), "must not contain a NUL character"),
  )
  .min(1, "must name a program, e.g. [\"python3\", \"main.py\"]")
  .max(200);

export const componentSettingsSchema = z.strictObject({
  timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  memoryMb: z.number().int().min(16).max(1024 * 1024).optional(),
  dataFolderMb: z.number().int().min(1).max(100 * 1024 * 1024).optional(),
  network: z.boolean().optional(),
  /** The job's Storage token is given to the program as KBC_TOKEN. */
  forwardToken: z.boolean().optional(),
  /** Output tables without a destination go to the configuration's default bucket. */
  defaultBucket: z.boolean().optional(),
});
export type ComponentSettings = z.infer<typeof componentSettingsSchema>;

// Checked for being a valid JSON Schema by lib/components/parameters-schema.ts.
const jsonSchemaObject = z.record(z.string(), z.unknown());

export const createComponentSchema = z.strictObject({
  id: componentIdSchema,
  name: z.string().trim().min(1, "name is required").max(200),
  type: componentTypeSchema.default("application"),
  description: z.string().max(10_000).default(""),
  configurationSchema: jsonSchemaObject.nullable().default(null),
  settings: componentSettingsSchema.default({}),
  // With an archive: the first version.
  command: commandSchema.optional(),
  tag: tagSchema.optional(),
});
export type CreateComponentInput = z.output<typeof createComponentSchema>;

export const updateComponentSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    type: componentTypeSchema.optional(),
    // null removes the schema.
    configurationSchema: jsonSchemaObject.nullable().optional(),
    // Replaces the stored settings as a whole.
    settings: componentSettingsSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });
export type UpdateComponentInput = z.output<typeof updateComponentSchema>;

export const createVersionSchema = z.strictObject({
  // Absent: the newest version's command.
  command: commandSchema.optional(),
  tag: tagSchema.optional(),
});
export type CreateVersionInput = z.output<typeof createVersionSchema>;

export const componentVersionSchema = z.object({
  tag: z.string(),
  command: z.array(z.string()),
  archiveType: z.enum(["zip", "tar.gz"]),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  unpackedBytes: z.number().int(),
  fileCount: z.number().int(),
  created: z.string(),
});
export type ComponentVersionJson = z.infer<typeof componentVersionSchema>;

export const processComponentSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  kind: z.enum(["builtin", "process"]),
  configurationSchema: z.record(z.string(), z.unknown()).nullable(),
  settings: componentSettingsSchema,
  versions: z.array(componentVersionSchema).describe("Newest first"),
  created: z.string(),
  updated: z.string(),
});
export type ProcessComponentJson = z.infer<typeof processComponentSchema>;
