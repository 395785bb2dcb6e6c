// Project subscriptions in Keboola's Notification API shape: `event`, `filters` [{field, value,
// operator}], `recipient` {channel: "email", address} | {channel: "webhook", url}. Shared by the
// API routes, the dashboard and the tests.
import { z } from "zod";
import { DEFAULT_OVERTIME, EVENT_LABELS, NOTIFICATION_EVENTS, type NotificationEvent } from "@/lib/notifications/events";

export { DEFAULT_OVERTIME, EVENT_LABELS, NOTIFICATION_EVENTS, type NotificationEvent };

/** Keboola's dotted paths into the event; durationOvertimePercentage only means something for job-processing-long. */
export const FILTER_FIELDS = ["job.component.id", "job.configuration.id", "branch.id", "durationOvertimePercentage"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export const FILTER_OPERATORS = ["==", "!=", ">", ">=", "<", "<="] as const;


export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed"] as const;
export const WEBHOOK_FORMATS = ["json", "slack"] as const;

// An enum whose error names the unknown value and the known ones.
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: (issue) => `unknown ${what} ${JSON.stringify(issue.input)}; known: ${values.join(", ")}` });

const filterSchema = z
  .strictObject({
    field: oneOf(FILTER_FIELDS, "filter field"),
    value: z.union([z.string().max(500), z.number().finite()]),
    operator: oneOf(FILTER_OPERATORS, "operator").default("=="),
  })
  .superRefine((f, ctx) => {
    const numeric = f.field === "durationOvertimePercentage";
    if (numeric && typeof f.value !== "number") ctx.addIssue({ code: "custom", path: ["value"], message: "durationOvertimePercentage takes a number (0.5 = 50 % over the average)" });
    if (!numeric && f.operator !== "==" && f.operator !== "!=") ctx.addIssue({ code: "custom", path: ["operator"], message: `${f.field} takes the operators == and !=` });
  })
  // Job fields are text: a configuration id sent as a number still matches.
  .transform((f) => (f.field === "durationOvertimePercentage" ? f : { ...f, value: String(f.value) }));
export type SubscriptionFilter = z.output<typeof filterSchema>;

/** http(s) only, no user:password in it (it would be shown in the list). Private addresses are refused when sent (lib/net/outbound.ts). */
const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "url must be an http:// or https:// URL without credentials");

const recipientSchema = z.discriminatedUnion("channel", [
  z.strictObject({ channel: z.literal("email"), address: z.email("address must be an e-mail address").max(320) }),
  z.strictObject({ channel: z.literal("webhook"), url: webhookUrl, format: z.enum(WEBHOOK_FORMATS).default("json") }),
]);

export const createSubscriptionSchema = z
  .strictObject({
    event: oneOf(NOTIFICATION_EVENTS, "event"),
    filters: z.array(filterSchema).max(20).default([]),
    recipient: recipientSchema,
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .superRefine((s, ctx) => {
    s.filters.forEach((f, i) => {
      if (f.field === "durationOvertimePercentage" && s.event !== "job-processing-long") {
        ctx.addIssue({ code: "custom", path: ["filters", i, "field"], message: "durationOvertimePercentage only filters job-processing-long" });
      }
    });
  });
export type CreateSubscriptionInput = z.output<typeof createSubscriptionSchema>;
/** What a client sends (defaults may be left out). */
export type CreateSubscriptionBody = z.input<typeof createSubscriptionSchema>;

export const subscriptionSchema = z.object({
  id: z.string(),
  event: z.enum(NOTIFICATION_EVENTS),
  filters: z.array(z.object({ field: z.enum(FILTER_FIELDS), value: z.union([z.string(), z.number()]), operator: z.enum(FILTER_OPERATORS) })),
  recipient: z.union([
    z.object({ channel: z.literal("email"), address: z.string() }),
    z.object({ channel: z.literal("webhook"), url: z.string(), format: z.enum(WEBHOOK_FORMATS) }),
  ]),
  expiresAt: z.string().nullable(),
  createdTime: z.string(),
  lastDelivery: z.object({ id: z.string(), status: z.enum(DELIVERY_STATUSES), createdTime: z.string() }).nullable(),
  // Webhooks only, and only in the answer to the create call: the key that signs every delivery.
  secret: z.string().optional(),
});
export type SubscriptionJson = z.infer<typeof subscriptionSchema>;

export const attemptSchema = z.object({
  attempt: z.number(),
  startedTime: z.string(),
  durationMs: z.number(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
});

export const deliverySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  event: z.enum(NOTIFICATION_EVENTS),
  jobId: z.string().nullable(),
  test: z.boolean(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  createdTime: z.string(),
  deliveredTime: z.string().nullable(),
  nextAttemptTime: z.string().nullable(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  attemptLog: z.array(attemptSchema),
});
export type DeliveryJson = z.infer<typeof deliverySchema>;
