"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { formatDateTime } from "@/components/format";
import { Button, ErrorState, Skeleton } from "@/components/ui";
import { deliveriesQueryOptions, notificationKeys, sendAgain } from "@/lib/queries/notifications";
import type { DeliveryJson } from "@/lib/schemas/notifications";

const STATUS_STYLE: Record<DeliveryJson["status"], string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
  sending: "bg-blue-50 text-blue-800 ring-blue-300 dark:bg-blue-950 dark:text-blue-300 dark:ring-blue-800",
  delivered: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  failed: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
};

export function DeliveryStatusBadge({ status }: { status: DeliveryJson["status"] }) {
  return <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[status]}`}>{status[0]!.toUpperCase() + status.slice(1)}</span>;
}

/** A subscription's deliveries, newest first: time, job, status, attempts, the last answer, and "send again". */
export function DeliveryLog({ subscriptionId }: { subscriptionId: string }) {
  const query = useQuery(deliveriesQueryOptions(subscriptionId));
  const queryClient = useQueryClient();
  const again = useMutation({
    mutationFn: (deliveryId: string) => sendAgain(subscriptionId, deliveryId),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
  if (query.isError) return <ErrorState title="Could not load the delivery log" error={query.error} onRetry={() => void query.refetch()} />;
  if (!query.data) return <Skeleton className="h-16 w-full" />;
  if (query.data.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing sent yet. &ldquo;Send a test&rdquo; tries the address now.</p>;
  return (
    <div className="space-y-2">
      {again.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {again.error.message}
        </p>
      )}
      <ul aria-label="Delivery log" className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {query.data.map((d) => (
          <li key={d.id} className="flex flex-col gap-1.5 px-3 py-2 text-sm sm:flex-row sm:items-start sm:gap-3" data-delivery-status={d.status}>
            <div className="flex shrink-0 items-center gap-2 sm:w-64">
              <DeliveryStatusBadge status={d.status} />
              <time dateTime={d.createdTime} className="whitespace-nowrap tabular-nums text-zinc-600 dark:text-zinc-400">
                {formatDateTime(d.deliveredTime ?? d.createdTime)}
              </time>
            </div>
            <div className="min-w-0 flex-1 space-y-0.5">
              <p className="text-zinc-800 dark:text-zinc-200">
                {d.test ? (
                  <span className="font-medium">Test</span>
                ) : (
                  <Link href={`/jobs/${d.jobId}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    Job {d.jobId}
                  </Link>
                )}
                <span className="text-zinc-500 dark:text-zinc-400">
                  {" "}
                  · {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
                  {d.lastStatusCode !== null && <> · answered {d.lastStatusCode}</>}
                  {d.nextAttemptTime && d.attempts > 0 && <> · next try {formatDateTime(d.nextAttemptTime)}</>}
                </span>
              </p>
              {d.lastError && <p className="break-words text-xs text-red-700 dark:text-red-400">{d.lastError}</p>}
              {d.attemptLog.length > 1 && (
                <details className="text-xs text-zinc-600 dark:text-zinc-400">
                  <summary className="cursor-pointer">Every attempt</summary>
                  <ol className="mt-1 space-y-0.5">
                    {d.attemptLog.map((a) => (
                      <li key={a.attempt} className="tabular-nums">
                        #{a.attempt} {formatDateTime(a.startedTime)} · {a.durationMs} ms · {a.statusCode ?? "no answer"}
                        {a.error && <> · {a.error}</>}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
            </div>
            {(d.status === "delivered" || d.status === "failed") && (
              <Button size="sm" onClick={() => again.mutate(d.id)} disabled={again.isPending && again.variables === d.id} className="self-start">
                Send again
              </Button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
