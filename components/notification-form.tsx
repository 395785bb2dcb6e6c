"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Button } from "@/components/ui";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { createSubscription, notificationKeys } from "@/lib/queries/notifications";
import { sessionQueryOptions } from "@/lib/queries/session";
import { DEFAULT_OVERTIME, EVENT_LABELS, NOTIFICATION_EVENTS, type NotificationEvent } from "@/lib/notifications/events";
import type { CreateSubscriptionBody, SubscriptionJson } from "@/lib/schemas/notifications";

export const controlClass =
  "w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700";
const labelClass = "block text-xs font-medium text-zinc-600 dark:text-zinc-400";

/** The token's description when it is an e-mail address (Keboola names tokens after their people). */
export function useCurrentUserEmail(): string {
  const session = useQuery(sessionQueryOptions());
  const description = session.data?.token.description ?? "";
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(description) ? description : "";
}

type Preset = { componentId: string; configurationId: string };

/**
 * Makes a subscription. With a preset (a configuration's page), the filters are that configuration;
 * otherwise the reader picks them. A webhook's secret is shown once, after it is made.
 */
export function SubscriptionForm({ preset, defaultEvent = "job-failed", emailConfigured, onCreated }: { preset?: Preset; defaultEvent?: NotificationEvent; emailConfigured: boolean; onCreated?: (s: SubscriptionJson) => void }) {
  const ids = { event: useId(), address: useId(), url: useId(), format: useId(), component: useId(), config: useId(), branch: useId(), overtime: useId() };
  const queryClient = useQueryClient();
  const userEmail = useCurrentUserEmail();
  const [event, setEvent] = useState<NotificationEvent>(defaultEvent);
  const [channel, setChannel] = useState<"email" | "webhook">(emailConfigured ? "email" : "webhook");
  const [address, setAddress] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<"json" | "slack">("json");
  const [componentId, setComponentId] = useState(preset?.componentId ?? "");
  const [configurationId, setConfigurationId] = useState(preset?.configurationId ?? "");
  const [branchId, setBranchId] = useState("");
  const [overtime, setOvertime] = useState(String(DEFAULT_OVERTIME * 100));
  const [secret, setSecret] = useState<string | null>(null);

  const shownAddress = address ?? userEmail;
  const create = useMutation({
    mutationFn: (body: CreateSubscriptionBody) => createSubscription(body),
    onSuccess: (made) => {
      setSecret(made.secret ?? null);
      void queryClient.invalidateQueries({ queryKey: notificationKeys.subscriptions() });
      onCreated?.(made);
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSecret(null);
    const filters: NonNullable<CreateSubscriptionBody["filters"]> = [];
    if (componentId.trim()) filters.push({ field: "job.component.id", value: componentId.trim() });
    if (configurationId.trim()) filters.push({ field: "job.configuration.id", value: configurationId.trim() });
    if (branchId.trim()) filters.push({ field: "branch.id", value: branchId.trim() });
    if (event === "job-processing-long" && overtime.trim() !== "") filters.push({ field: "durationOvertimePercentage", operator: ">=", value: Number(overtime) / 100 });
    create.mutate({
      event,
      filters,
      recipient: channel === "email" ? { channel, address: shownAddress.trim() } : { channel, url: url.trim(), format },
    });
  };

  const fieldError = (field: string) => (isApiRequestError(create.error) && create.error.field?.startsWith(field) ? create.error.message : null);

  return (
    <form onSubmit={submit} className="space-y-4" aria-label={preset ? "Notify me when this fails" : "New subscription"}>
      <div className="grid gap-4 sm:grid-cols-2">
        {!preset && (
          <div className="space-y-1">
            <label htmlFor={ids.event} className={labelClass}>
              Event
            </label>
            <select id={ids.event} value={event} onChange={(e) => setEvent(e.target.value as NotificationEvent)} className={controlClass}>
              {NOTIFICATION_EVENTS.map((name) => (
                <option key={name} value={name}>
                  {EVENT_LABELS[name]} ({name})
                </option>
              ))}
            </select>
          </div>
        )}
        <fieldset className="space-y-1">
          <legend className={labelClass}>Notify by</legend>
          <div className="flex gap-4 pt-1.5 text-sm text-zinc-800 dark:text-zinc-200">
            {(["email", "webhook"] as const).map((c) => (
              <label key={c} className="inline-flex items-center gap-1.5">
                <input type="radio" name={`${ids.event}-channel`} value={c} checked={channel === c} onChange={() => setChannel(c)} />
                {c === "email" ? "E-mail" : "Webhook"}
              </label>
            ))}
          </div>
        </fieldset>
      </div>

      {channel === "email" ? (
        <div className="space-y-1">
          <label htmlFor={ids.address} className={labelClass}>
            E-mail address
          </label>
          <input id={ids.address} type="email" required value={shownAddress} onChange={(e) => setAddress(e.target.value)} placeholder="ops@example.com" className={controlClass} autoComplete="email" />
          {!emailConfigured && <p className="text-xs text-amber-700 dark:text-amber-400">E-mail is not set up on this server yet: these deliveries fail until JOBDECK_SMTP_URL is set.</p>}
          {fieldError("recipient") && <p className="text-xs text-red-700 dark:text-red-400">{fieldError("recipient")}</p>}
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[1fr_auto]">
          <div className="min-w-0 space-y-1">
            <label htmlFor={ids.url} className={labelClass}>
              Webhook URL
            </label>
            <input id={ids.url} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/jobdeck" className={controlClass} />
            {fieldError("recipient") && <p className="text-xs text-red-700 dark:text-red-400">{fieldError("recipient")}</p>}
          </div>
          <div className="space-y-1">
            <label htmlFor={ids.format} className={labelClass}>
              Payload
            </label>
            <select id={ids.format} value={format} onChange={(e) => setFormat(e.target.value as "json" | "slack")} className={controlClass}>
              <option value="json">Jobdeck JSON</option>
              <option value="slack">Slack-compatible</option>
            </select>
          </div>
        </div>
      )}

      {!preset && (
        <details className="group rounded-lg border border-zinc-200 p-3 dark:border-zinc-800" open={event === "job-processing-long" || undefined}>
          <summary className="cursor-pointer text-sm font-medium text-zinc-700 dark:text-zinc-300">Only some jobs (filters)</summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-3">
            <div className="space-y-1">
              <label htmlFor={ids.component} className={labelClass}>
                Component id
              </label>
              <input id={ids.component} value={componentId} onChange={(e) => setComponentId(e.target.value)} placeholder="any" className={controlClass} />
            </div>
            <div className="space-y-1">
              <label htmlFor={ids.config} className={labelClass}>
                Configuration id
              </label>
              <input id={ids.config} value={configurationId} onChange={(e) => setConfigurationId(e.target.value)} placeholder="any" className={controlClass} />
            </div>
            <div className="space-y-1">
              <label htmlFor={ids.branch} className={labelClass}>
                Branch id
              </label>
              <input id={ids.branch} value={branchId} onChange={(e) => setBranchId(e.target.value)} placeholder="any" className={controlClass} />
            </div>
            {event === "job-processing-long" && (
              <div className="space-y-1 sm:col-span-3">
                <label htmlFor={ids.overtime} className={labelClass}>
                  Tell me once a job runs this much over its configuration&apos;s average (%)
                </label>
                <input id={ids.overtime} type="number" min={0} step={5} value={overtime} onChange={(e) => setOvertime(e.target.value)} className={`${controlClass} sm:max-w-40`} />
              </div>
            )}
          </div>
          {fieldError("filters") && <p className="mt-2 text-xs text-red-700 dark:text-red-400">{fieldError("filters")}</p>}
        </details>
      )}

      {create.isError && !fieldError("recipient") && !fieldError("filters") && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {create.error.message}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Saving…" : preset ? "Notify me" : "Create subscription"}
        </Button>
        {create.isSuccess && !secret && (
          <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Subscribed.
          </span>
        )}
      </div>
      {secret && <SecretOnce secret={secret} />}
    </form>
  );
}

/** The webhook's signing secret, shown this once. */
function SecretOnce({ secret }: { secret: string }) {
  return (
    <div role="status" className="space-y-1 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200">
      <p className="font-medium">Subscribed. The webhook&apos;s signing secret, shown only now:</p>
      <code data-testid="webhook-secret" className="block break-all rounded bg-white px-2 py-1 font-mono text-xs text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
        {secret}
      </code>
      <p className="text-xs">
        Every delivery carries <code>X-Jobdeck-Signature: t=…,v1=…</code>: the hex HMAC-SHA256 of <code>&lt;t&gt;.&lt;raw body&gt;</code> with this secret, and <code>X-Jobdeck-Delivery</code>, the same on every retry.
      </p>
    </div>
  );
}
