"use client";

import { useQuery } from "@tanstack/react-query";
import { SubscriptionForm } from "@/components/notification-form";
import { SubscriptionItem } from "@/components/subscription-item";
import { Card, EmptyState, ErrorState, Skeleton } from "@/components/ui";
import { subscriptionsQueryOptions } from "@/lib/queries/notifications";

/** The Notifications page: every subscription of the project, a form for a new one, and each one's delivery log. */
export function NotificationsPage({ emailConfigured }: { emailConfigured: boolean }) {
  const query = useQuery(subscriptionsQueryOptions());
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Notifications</h1>
        <p className="max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
          Be told when a job fails, ends with a warning or runs far longer than usual: by e-mail or a signed webhook. Every delivery is retried until it gets through (or for an hour), and each
          carries an id, the same on every retry.
        </p>
      </div>
      {!emailConfigured && <EmailNotConfigured />}
      <Card className="p-4 sm:p-5" aria-labelledby="new-subscription">
        <h2 id="new-subscription" className="mb-4 text-lg font-semibold text-zinc-900 dark:text-zinc-50">
          New subscription
        </h2>
        <SubscriptionForm emailConfigured={emailConfigured} />
      </Card>
      <section aria-labelledby="subscriptions" className="space-y-3">
        <h2 id="subscriptions" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
          Subscriptions {query.data && <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">({query.data.length})</span>}
        </h2>
        {query.data ? (
          query.data.length === 0 ? (
            <Card>
              <EmptyState title="No subscriptions yet">Make one above; it applies to every job of this project that matches its filters.</EmptyState>
            </Card>
          ) : (
            <ul className="space-y-3">
              {query.data.map((s) => (
                <SubscriptionItem key={s.id} subscription={s} />
              ))}
            </ul>
          )
        ) : query.isError ? (
          <ErrorState title="Could not load the subscriptions" error={query.error} onRetry={() => void query.refetch()} />
        ) : (
          <div aria-busy="true" className="space-y-3">
            <span role="status" className="sr-only">
              Loading subscriptions
            </span>
            <Skeleton className="h-20 w-full rounded-xl" />
          </div>
        )}
      </section>
    </div>
  );
}

function EmailNotConfigured() {
  return (
    <div role="note" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
      <p className="font-medium">E-mail is not set up on this server.</p>
      <p className="mt-1">
        Webhooks work as they are. For e-mail, start the server and the workers with an SMTP server, then restart them:
      </p>
      <pre className="mt-2 overflow-x-auto rounded bg-white/70 px-2 py-1 font-mono text-xs dark:bg-zinc-950/60">
        JOBDECK_SMTP_URL=smtp://user:password@smtp.example.com:587{"\n"}JOBDECK_SMTP_FROM=&quot;Jobdeck &lt;jobdeck@example.com&gt;&quot;
      </pre>
    </div>
  );
}
