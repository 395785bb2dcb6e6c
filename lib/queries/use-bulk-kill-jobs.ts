"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { JobStatus } from "@/lib/jobs/state";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { killJob } from "@/lib/queries/jobs";
import { refreshAfterKill, showTerminating } from "@/lib/queries/use-kill-job";

export type BulkKillTarget = { id: string; label: string };
export type BulkKillResult = BulkKillTarget & (
  | { outcome: "pending" }
  | { outcome: "done"; status: JobStatus }
  | { outcome: "skipped" | "failed"; message: string }
);

/** Requests in flight at once: quick for a few hundred jobs, gentle on the server. */
const CONCURRENCY = 4;

/**
 * Terminates many jobs, one request each, and keeps a result per job: its new status, "skipped"
 * when the API says it can no longer be terminated (it finished, or went with its parent), or the
 * error. Every job shows `terminating` at once; the refetch afterwards shows what really happened.
 */
export function useBulkKillJobs() {
  const queryClient = useQueryClient();
  const [results, setResults] = useState<BulkKillResult[]>([]);

  const mutation = useMutation({
    mutationFn: async (targets: readonly BulkKillTarget[]) => {
      setResults(targets.map((t) => ({ ...t, outcome: "pending" })));
      const settle = (id: string, result: Partial<BulkKillResult>) =>
        setResults((current) => current.map((r) => (r.id === id ? ({ ...r, ...result } as BulkKillResult) : r)));
      await showTerminating(queryClient, targets.map((t) => t.id));
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const target = targets[next++]!;
          try {
            const job = await killJob(target.id);
            settle(target.id, { outcome: "done", status: job.status });
          } catch (error) {
            const skipped = isApiRequestError(error, 400) || isApiRequestError(error, 404);
            settle(target.id, { outcome: skipped ? "skipped" : "failed", message: error instanceof Error ? error.message : String(error) });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
    },
    onSettled: () => refreshAfterKill(queryClient),
  });

  return {
    results,
    start: (targets: readonly BulkKillTarget[]) => mutation.mutate(targets),
    isRunning: mutation.isPending,
    isDone: mutation.isSuccess,
    reset: () => {
      mutation.reset();
      setResults([]);
    },
  };
}
