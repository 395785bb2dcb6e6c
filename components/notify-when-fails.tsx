"use client";

import { useQuery } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useState } from "react";
import { SubscriptionForm } from "@/components/notification-form";
import { SubscriptionItem } from "@/components/subscription-item";
import { Button, Card } from "@/components/ui";
import { subscriptionsQueryOptions } from "@/lib/queries/notifications";
import type { SubscriptionJson } from "@/lib/schemas/notifications";

const isFor = (s: SubscriptionJson, componentId: string, configurationId: string) =>
  s.event === "job-failed" &&
  s.filters.some((f) => f.field === "job.component.id" && f.operator === "==" && f.value === componentId) &&
  s.filters.some((f) => f.field === "job.configuration.id" && f.operator === "==" && f.value === configurationId);

/**
 * "Notify me when this fails", for a configuration's page: who is told already (each with "Send a
 * test" and its delivery log), and a form that subscribes the current user's address (or a webhook)
 * to this configuration's failed jobs.
 * `emailConfigured` comes from the server page (lib/notifications/channels.ts#emailConfigured).
 */
export function NotifyWhenFails({ componentId, configurationId, emailConfigured = true }: { componentId: string; configurationId: string; emailConfigured?: boolean }) {
  const query = useQuery(subscriptionsQueryOptions());
  const [adding, setAdding] = useState(false);
  const mine = query.data?.filter((s) => isFor(s, componentId, configurationId)) ?? [];
  return (
    <Card className="space-y-3 p-4" aria-labelledby="notify-when-fails">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="notify-when-fails" className="text-base font-semibold text-zinc-900 dark:text-zinc-50">
          Notify me when this fails
        </h2>
        {!adding && (
          <Button size="sm" variant="primary" onClick={() => setAdding(true)}>
            {mine.length ? "Add someone" : "Notify me"}
          </Button>
        )}
      </div>
      {mine.length > 0 ? (
        <ul aria-label="Told when this fails" className="space-y-2">
          {mine.map((s) => (
            <SubscriptionItem key={s.id} subscription={s} />
          ))}
        </ul>
      ) : (
        query.data && <p className="text-sm text-zinc-500 dark:text-zinc-400">Nobody is told when a job of this configuration fails.</p>
      )}
      {adding && <SubscriptionForm preset={{ componentId, configurationId }} emailConfigured={emailConfigured} onCreated={(s) => s.recipient.channel === "email" && setAdding(false)} />}
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Every subscription and its delivery log:{" "}
        <Link href="/notifications" className="text-indigo-700 hover:underline dark:text-indigo-400">
          Notifications
        </Link>
      </p>
    </Card>
  );
}
