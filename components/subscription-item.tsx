"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { DeliveryLog, DeliveryStatusBadge } from "@/components/notification-delivery-log";
import { Button, Card } from "@/components/ui";
import { deleteSubscription, notificationKeys, sendTest } from "@/lib/queries/notifications";
import { EVENT_LABELS } from "@/lib/notifications/events";
import type { SubscriptionJson } from "@/lib/schemas/notifications";

function describeFilters(s: SubscriptionJson): string {
  if (s.filters.length === 0) return "Every job of the project";
  return s.filters
    .map((f) => (f.field === "durationOvertimePercentage" ? `${f.operator} ${Math.round(Number(f.value) * 100)} % over the average` : `${f.field} ${f.operator} ${f.value}`))
    .join(" · ");
}

/** One subscription: what it listens to and where it goes, "Send a test", its delivery log, delete. */
export function SubscriptionItem({ subscription: s }: { subscription: SubscriptionJson }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  const test = useMutation({ mutationFn: () => sendTest(s.id), onSuccess: () => setOpen(true), onSettled: refresh });
  const remove = useMutation({ mutationFn: () => deleteSubscription(s.id), onSettled: refresh });
  const target = s.recipient.channel === "email" ? s.recipient.address : s.recipient.url;
  const logId = `delivery-log-${s.id}`;
  return (
    <li>
      <Card className="p-4" aria-label={`${EVENT_LABELS[s.event]} to ${target}`}>
        <div className="flex flex-col gap-3 md:flex-row md:items-start md:justify-between">
          <div className="min-w-0 space-y-1">
            <p className="flex flex-wrap items-center gap-2 font-medium text-zinc-900 dark:text-zinc-100">
              {EVENT_LABELS[s.event]}
              <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-normal text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">{s.event}</code>
              {s.lastDelivery && <DeliveryStatusBadge status={s.lastDelivery.status} />}
            </p>
            <p className="break-all text-sm text-zinc-700 dark:text-zinc-300">
              <span className="text-zinc-500 dark:text-zinc-400">{s.recipient.channel === "email" ? "E-mail to " : s.recipient.format === "slack" ? "Webhook (Slack) to " : "Webhook to "}</span>
              {target}
            </p>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">
              {describeFilters(s)} · since {formatDateTime(s.createdTime)}
            </p>
          </div>
          <div className="flex shrink-0 flex-wrap gap-2">
            <Button size="sm" onClick={() => test.mutate()} disabled={test.isPending}>
              {test.isPending ? "Sending…" : "Send a test"}
            </Button>
            <Button size="sm" aria-expanded={open} aria-controls={logId} onClick={() => setOpen((o) => !o)}>
              {open ? "Hide delivery log" : "Delivery log"}
            </Button>
            {confirming ? (
              <>
                <Button size="sm" variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
                  Delete for good
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
                  Keep
                </Button>
              </>
            ) : (
              <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
                Delete
              </Button>
            )}
          </div>
        </div>
        {(test.isError || remove.isError) && (
          <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
            {(test.error ?? remove.error)?.message}
          </p>
        )}
        {open && (
          <div id={logId} className="mt-4">
            <DeliveryLog subscriptionId={s.id} />
          </div>
        )}
      </Card>
    </li>
  );
}
