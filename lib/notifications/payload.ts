// What a delivery says, per channel: Jobdeck's webhook JSON (the job in the Queue API's fields, the
// event, a link to the job page), a Slack-compatible {text}, and an e-mail's plain-text and HTML body.
// Pure: the sender loads the facts, these shape them.
import { formatDuration } from "@/components/format";
import { EVENT_LABELS, type NotificationEvent } from "@/lib/schemas/notifications";
import type { JobJson } from "@/lib/schemas/jobs";

export type ProcessingLongDetails = { averageDuration: number; currentDuration: number; durationOvertimePercentage: number };

export type DeliveryFacts = {
  deliveryId: string;
  event: NotificationEvent;
  project: { id: number; name: string };
  /** The job the event is about; for a test, the project's newest job as a sample (or none). */
  job: JobJson | null;
  test: boolean;
  details: Partial<ProcessingLongDetails>;
  /** The newest error events of the job, newest first. */
  errors: { created: string; message: string }[];
  /** The dashboard's job page. */
  jobPageUrl: string | null;
  created: Date;
};

export type WebhookPayload = {
  id: string;
  event: NotificationEvent;
  test: boolean;
  created: string;
  project: { id: string; name: string };
  branch: { id: string } | null;
  job: JobJson | null;
  jobPageUrl: string | null;
  errors: { created: string; message: string }[];
} & Partial<ProcessingLongDetails>;

export function webhookPayload(f: DeliveryFacts): WebhookPayload {
  return {
    id: f.deliveryId,
    event: f.event,
    test: f.test,
    created: f.created.toISOString(),
    project: { id: String(f.project.id), name: f.project.name },
    branch: f.job ? { id: f.job.branchId ?? "default" } : null,
    job: f.job,
    jobPageUrl: f.jobPageUrl,
    errors: f.errors,
    ...f.details,
  };
}

/** One line for people: "[Jobdeck] Job 123 (keboola.ex-http / 456) failed after 2 min 3 s". */
export function headline(f: DeliveryFacts): string {
  const prefix = f.test ? "[Jobdeck test] " : "[Jobdeck] ";
  if (!f.job) return `${prefix}${EVENT_LABELS[f.event]}: a test notification from project ${f.project.name}`;
  const what = `Job ${f.job.id} (${f.job.component}${f.job.config ? ` / ${f.job.configName ?? f.job.config}` : ""})`;
  switch (f.event) {
    case "job-processing-long": {
      const pct = Math.round((f.details.durationOvertimePercentage ?? 0) * 100);
      return `${prefix}${what} has been running ${formatDuration(f.details.currentDuration ?? 0)}, ${pct} % over its average of ${formatDuration(f.details.averageDuration ?? 0)}`;
    }
    case "job-succeeded":
      return `${prefix}${what} succeeded in ${formatDuration(f.job.durationSeconds)}`;
    case "job-succeeded-with-warning":
      return `${prefix}${what} ended with a warning after ${formatDuration(f.job.durationSeconds)}`;
    default:
      return `${prefix}${what} failed after ${formatDuration(f.job.durationSeconds)}`;
  }
}

export function slackPayload(f: DeliveryFacts): { text: string } {
  const lines = [headline(f)];
  const message = f.job?.result.error?.message ?? f.job?.result.message;
  if (message) lines.push(`> ${message.slice(0, 500)}`);
  if (f.jobPageUrl) lines.push(`<${f.jobPageUrl}|Open the job>`);
  return { text: lines.join("\n") };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function emailMessage(f: DeliveryFacts): { subject: string; text: string; html: string } {
  const subject = headline(f);
  const job = f.job;
  const rows: [string, string][] = job
    ? [
        ["Status", job.status],
        ["Component", job.component],
        ["Configuration", job.configName ? `${job.configName} (${job.config})` : (job.config ?? "—")],
        ["Branch", job.branchId ?? "default"],
        ["Duration", f.event === "job-processing-long" ? `${formatDuration(f.details.currentDuration ?? 0)} so far (average ${formatDuration(f.details.averageDuration ?? 0)})` : formatDuration(job.durationSeconds)],
        ["Started", job.startTime ?? "—"],
        ["Ended", job.endTime ?? "—"],
      ]
    : [["Project", f.project.name]];
  const message = job?.result.error?.message ?? job?.result.message ?? null;
  const text = [
    subject,
    "",
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(message ? ["", `Message: ${message}`] : []),
    ...(f.errors.length ? ["", "Last errors:", ...f.errors.map((e) => `  ${e.created}  ${e.message}`)] : []),
    ...(f.jobPageUrl ? ["", `Open the job: ${f.jobPageUrl}`] : []),
    "",
    `Delivery ${f.deliveryId} of project ${f.project.name}.`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#18181b">
<h2 style="font-size:16px">${escapeHtml(subject)}</h2>
<table style="border-collapse:collapse;font-size:14px">${rows.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#71717a">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join("")}</table>
${message ? `<p style="font-size:14px"><strong>Message:</strong> ${escapeHtml(message)}</p>` : ""}
${f.errors.length ? `<h3 style="font-size:14px">Last errors</h3><ul style="font-size:13px;font-family:ui-monospace,monospace">${f.errors.map((e) => `<li>${escapeHtml(e.created)} ${escapeHtml(e.message)}</li>`).join("")}</ul>` : ""}
${f.jobPageUrl ? `<p><a href="${escapeHtml(f.jobPageUrl)}">Open the job</a></p>` : ""}
<p style="font-size:12px;color:#71717a">Delivery ${escapeHtml(f.deliveryId)} of project ${escapeHtml(f.project.name)}.</p>
</body></html>`;
  return { subject, text, html };
}
