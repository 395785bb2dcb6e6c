// The events a subscription can be for, with the dashboard's words for them; zod-free, so the
// subscription form can load them without the API's schemas (lib/schemas/notifications.ts).

export const NOTIFICATION_EVENTS = [
  "job-failed",
  "job-succeeded-with-warning",
  "job-processing-long",
  "job-succeeded",
  "phase-job-failed",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  "job-failed": "Job failed",
  "job-succeeded-with-warning": "Job ended with a warning",
  "job-processing-long": "Job runs longer than usual",
  "job-succeeded": "Job succeeded",
  "phase-job-failed": "Orchestration phase failed",
};

/** job-processing-long without a durationOvertimePercentage filter fires at 100 % over the average (twice as long). */
export const DEFAULT_OVERTIME = 1;
