import { z } from "zod";

const configIdPattern = /^[a-zA-Z0-9._-]{1,100}$/;

export const createConfigurationSchema = z.strictObject({
  configurationId: z.string().regex(configIdPattern, "must be 1–100 letters, digits, dots, dashes or underscores").optional(),
  name: z.string().trim().min(1, "name is required").max(200),
  description: z.string().max(10_000).default(""),
  configuration: z.record(z.string(), z.unknown()).default({}),
  isDisabled: z.boolean().default(false),
});

export const updateConfigurationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    configuration: z.record(z.string(), z.unknown()).optional(),
    isDisabled: z.boolean().optional(),
    changeDescription: z.string().max(1000).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== "changeDescription"), { message: "nothing to change" });

export const createRowSchema = z.strictObject({
  rowId: z.string().regex(configIdPattern, "must be 1–100 letters, digits, dots, dashes or underscores").optional(),
  name: z.string().trim().min(1, "name is required").max(200),
  configuration: z.record(z.string(), z.unknown()).default({}),
  isDisabled: z.boolean().default(false),
});

export const updateRowSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    configuration: z.record(z.string(), z.unknown()).optional(),
    isDisabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });

export const configurationRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  configuration: z.record(z.string(), z.unknown()),
  isDisabled: z.boolean(),
});

export const configurationSchema = z.object({
  id: z.string(),
  componentId: z.string(),
  branchId: z.string(),
  name: z.string(),
  description: z.string(),
  created: z.string(),
  updated: z.string(),
  version: z.number(),
  isDisabled: z.boolean(),
  configuration: z.record(z.string(), z.unknown()),
  rows: z.array(configurationRowSchema),
});
export type ConfigurationJson = z.infer<typeof configurationSchema>;

export const componentSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  configurations: z.array(configurationSchema).optional(),
});
