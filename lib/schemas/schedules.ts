// Schedules (Keboola's Scheduler API): the keboola.scheduler configuration body, the requests and
// the answer. Shared by the routes, the editor and the tests.
import { z } from "zod";
import { JOB_MODES } from "@/lib/schemas/jobs";
import { cronProblem } from "@/lib/schedules/cron";
import { SCHEDULER_COMPONENT } from "@/lib/schedules/component";

export { SCHEDULER_COMPONENT };
export const SCHEDULE_STATES = ["enabled", "disabled"] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

const idText = (what: string) => z.string().trim().min(1, `${what} is required`).max(200).regex(/^[a-zA-Z0-9._-]+$/, `must be a ${what} such as 101`);

/** The cronTab's or the time zone's problem (cron.ts), as an issue at `path`'s cronTab or timezone. */
function addCronIssue(ctx: z.RefinementCtx, value: { cronTab: string; timezone: string }, path: string[]): void {
  const problem = cronProblem(value.cronTab, value.timezone);
  if (problem) ctx.addIssue({ code: "custom", path: [...path, problem.field], message: problem.message });
}

const cronTabText = z.string().trim().min(1, "cronTab is required").max(200);
const timezoneText = z.string().trim().min(1).max(100).default("UTC");

/** The body of a keboola.scheduler configuration, as Keboola documents it (automate/set-schedule). */
export const schedulerConfigurationSchema = z
  .object({
    schedule: z.object({
      cronTab: cronTabText,
      timezone: timezoneText,
      state: z.enum(SCHEDULE_STATES).default("enabled"),
    }),
    target: z.object({
      componentId: idText("component id"),
      configurationId: idText("configuration id"),
      configurationRowIds: z.array(idText("row id")).max(1000).default([]),
      mode: z.enum(JOB_MODES).default("run"),
      tag: z.string().trim().max(100).optional(),
    }),
  })
  .superRefine((value, ctx) => addCronIssue(ctx, value.schedule, ["schedule"]));
export type SchedulerConfiguration = z.output<typeof schedulerConfigurationSchema>;

/**
 * POST /schedules: Keboola's `{configurationId}` activates (or re-reads) a keboola.scheduler
 * configuration; Jobdeck also takes `{name, configuration}` to create the configuration and
 * activate it in one step, so that a bad expression leaves nothing half made.
 */
export const activateScheduleSchema = z
  .strictObject({
    configurationId: idText("configuration id").optional(),
    name: z.string().trim().min(1, "name is required").max(200).optional(),
    description: z.string().max(10_000).optional(),
    configuration: z.unknown().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.configurationId === undefined && value.configuration === undefined) {
      ctx.addIssue({ code: "custom", path: ["configurationId"], message: "configurationId is required (the id of a keboola.scheduler configuration)" });
    }
    if (value.configurationId !== undefined && value.configuration !== undefined) {
      ctx.addIssue({ code: "custom", path: ["configuration"], message: "give either configurationId or configuration, not both" });
    }
    if (value.configuration !== undefined && value.name === undefined) {
      ctx.addIssue({ code: "custom", path: ["name"], message: "name is required with configuration" });
    }
  });
export type ActivateScheduleInput = z.output<typeof activateScheduleSchema>;

/** PATCH /schedules/{id} (Jobdeck): pause or resume, rename, or replace the configuration body. */
export const updateScheduleSchema = z
  .strictObject({
    state: z.enum(SCHEDULE_STATES).optional(),
    name: z.string().trim().min(1, "name is required").max(200).optional(),
    configuration: z.unknown().optional(),
  })
  .refine((v) => v.state !== undefined || v.name !== undefined || v.configuration !== undefined, { message: "nothing to change" });
export type UpdateScheduleInput = z.output<typeof updateScheduleSchema>;

export const listSchedulesQuerySchema = z.object({
  componentId: z.string().max(200).optional(),
  configurationId: z.string().max(200).optional(),
  // Jobdeck: the schedule whose token a job carries (the job detail's "Scheduled" link).
  tokenId: z.string().regex(/^\d{1,9}$/, "must be a numeric token id").optional(),
});

/** GET /schedules/preview (Jobdeck): what the editor shows as one types a cronTab and a time zone. */
export const previewScheduleQuerySchema = z
  .object({ cronTab: cronTabText, timezone: timezoneText })
  .superRefine((value, ctx) => addCronIssue(ctx, value, []));

export const schedulePreviewSchema = z.object({
  cronTab: z.string(),
  timezone: z.string(),
  // The expression read for people ("At 02:00"), and the next five runs.
  description: z.string(),
  nextRuns: z.array(z.string()),
});
export type SchedulePreviewJson = z.infer<typeof schedulePreviewSchema>;

export const scheduleExecutionSchema = z.object({
  jobId: z.string().nullable(),
  executionTime: z.string(),
  // Jobdeck: the slot it was for, whether it made a job, why not, and slots folded into it.
  slotTime: z.string(),
  status: z.enum(["created", "failed"]),
  reason: z.string().nullable(),
  missedSlots: z.number(),
});

export const scheduleSchema = z.object({
  id: z.string(),
  tokenId: z.string(),
  configurationId: z.string(),
  configurationVersionId: z.string(),
  schedule: z.object({ cronTab: z.string(), timezone: z.string(), state: z.enum(SCHEDULE_STATES) }),
  target: z.object({
    componentId: z.string(),
    configurationId: z.string(),
    configurationRowIds: z.array(z.string()),
    mode: z.enum(JOB_MODES),
    tag: z.string(),
  }),
  executions: z.array(scheduleExecutionSchema),
  // Jobdeck: the configuration's name, the target's name, why it cannot run, the cronTab read for
  // people, the next slots.
  name: z.string(),
  targetName: z.string().nullable(),
  broken: z.object({ reason: z.string() }).nullable(),
  cronDescription: z.string(),
  nextRuns: z.array(z.string()),
  created: z.string(),
});
export type ScheduleJson = z.infer<typeof scheduleSchema>;
export type ScheduleExecutionJson = z.infer<typeof scheduleExecutionSchema>;
