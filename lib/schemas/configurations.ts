import { z } from "zod";
import { formFlag, formJsonObject } from "@/lib/schemas/form-values";

const configIdPattern = /^[a-zA-Z0-9._-]{1,100}$/;
const idMessage = "must be 1–100 letters, digits, dots, dashes or underscores";

/**
 * Ours: the version the client read. A save against an older one is refused with 409
 * (optimistic check: two people saving at once, the second is told and nothing is lost).
 * Keboola's clients do not send it and save unchecked, as on Keboola.
 */
const expectedVersion = z.coerce.number().int().min(1).max(2_000_000_000).optional();
const changeDescription = z.string().max(1000).optional();

export const createConfigurationSchema = z.strictObject({
  configurationId: z.string().regex(configIdPattern, idMessage).optional(),
  name: z.string().trim().min(1, "name is required").max(200),
  description: z.string().max(10_000).default(""),
  configuration: formJsonObject.default({}),
  // The Common Interface's state (what in/state.json holds on the next run).
  state: formJsonObject.optional(),
  isDisabled: formFlag.default(false),
  changeDescription,
});

export const updateConfigurationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    configuration: formJsonObject.optional(),
    state: formJsonObject.optional(),
    isDisabled: formFlag.optional(),
    changeDescription,
    version: expectedVersion,
  })
  .refine((v) => Object.keys(v).some((k) => k !== "changeDescription" && k !== "version"), { message: "nothing to change" });

export const createRowSchema = z.strictObject({
  rowId: z.string().regex(configIdPattern, idMessage).optional(),
  name: z.string().trim().min(1, "name is required").max(200),
  description: z.string().max(10_000).optional(),
  configuration: formJsonObject.default({}),
  isDisabled: formFlag.default(false),
  changeDescription,
  version: expectedVersion,
});

export const updateRowSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    configuration: formJsonObject.optional(),
    isDisabled: formFlag.optional(),
    changeDescription,
    version: expectedVersion,
  })
  .refine((v) => Object.keys(v).some((k) => k !== "changeDescription" && k !== "version" && k !== "description"), { message: "nothing to change" });

/** Keboola's rows-sort: every row id of the configuration, in the new order. */
export const sortRowsSchema = z.strictObject({
  rowsSortOrder: z.array(z.string().min(1).max(100)).min(1).max(10_000),
  changeDescription,
  version: expectedVersion,
});

/** Rollback and row deletion: only the note and the optimistic check. */
export const versionActionSchema = z.strictObject({ changeDescription, version: expectedVersion });

/** Keboola's "create configuration from version" (how its UI copies a configuration). */
export const copyConfigurationSchema = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(200),
  description: z.string().max(10_000).optional(),
  changeDescription,
});

export const configurationRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  configuration: z.record(z.string(), z.unknown()),
  isDisabled: z.boolean(),
});
export type ConfigurationRowJson = z.infer<typeof configurationRowSchema>;

export const creatorTokenSchema = z.object({ id: z.string().nullable(), description: z.string() });

export const configurationSchema = z.object({
  id: z.string(),
  componentId: z.string(),
  branchId: z.string(),
  name: z.string(),
  description: z.string(),
  created: z.string(),
  updated: z.string(),
  version: z.number(),
  changeDescription: z.string().optional(),
  isDisabled: z.boolean(),
  configuration: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
  rows: z.array(configurationRowSchema),
});
export type ConfigurationJson = z.infer<typeof configurationSchema>;

/** One entry of GET …/configs/{id}/versions, as Keboola lists them (newest first). */
export const configurationVersionSummarySchema = z.object({
  version: z.number(),
  created: z.string(),
  creatorToken: creatorTokenSchema,
  changeDescription: z.string(),
  isDeleted: z.boolean(),
  name: z.string(),
  description: z.string(),
  isDisabled: z.boolean(),
});
export type ConfigurationVersionSummary = z.infer<typeof configurationVersionSummarySchema>;

/** GET …/versions/{version}: the whole configuration as that save left it. */
export const configurationVersionSchema = configurationVersionSummarySchema.extend({
  configuration: z.record(z.string(), z.unknown()),
  rows: z.array(configurationRowSchema),
});
export type ConfigurationVersionJson = z.infer<typeof configurationVersionSchema>;

export const listVersionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const componentSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  uri: z.string(),
  // Keboola's list gives each configuration's id, name and description; `include=configuration,rows,state` adds those.
  configurations: z.array(configurationSchema.partial().required({ id: true, name: true, description: true })).optional(),
});

export const listComponentsSchema = z.strictObject({
  include: z
    .string()
    .max(200)
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(["configuration", "rows", "state"])))
    .optional(),
  componentType: z.string().max(40).optional(),
});

export const configurationMetadataSchema = z.strictObject({
  metadata: z.array(z.strictObject({ key: z.string().trim().min(1).max(255), value: z.union([z.string().max(64_000), z.number().transform(String), z.boolean().transform(String)]) })).min(1).max(100),
  provider: z.string().trim().min(1).max(255).optional(),
});
export type ComponentWithConfigurationsJson = z.infer<typeof componentSchema>;
