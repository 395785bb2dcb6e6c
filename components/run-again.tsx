"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { CreatedJob } from "@/components/run-dialog";
import { Button, Spinner } from "@/components/ui";
import type { JobJson } from "@/lib/schemas/jobs";
import { configurationHref } from "@/components/hrefs";
import { configurationQueryOptions, runJobAgain, versionsQueryOptions } from "@/lib/queries/configurations";
import { jobDetailQueryOptions, jobKeys } from "@/lib/queries/jobs";
import type { RunAgainScope } from "@/lib/schemas/jobs";

/** The version a configuration had when the job was created, and the one it has now. */
function useVersionThenAndNow(job: JobJson) {
  const enabled = job.config !== null;
  const config = useQuery({ ...configurationQueryOptions(job.component, job.config ?? ""), enabled, retry: false });
  const versions = useQuery({ ...versionsQueryOptions(job.component, job.config ?? ""), enabled, retry: false });
  if (!config.data || !versions.data) return null;
  const created = Date.parse(job.createdTime);
  const then = versions.data.find((v) => Date.parse(v.created) <= created)?.version ?? null;
  return { then, now: config.data.version };
}

/**
 * Run again: a new job with the same component, configuration, rows, configData, mode, tag,
 * backend and parallelism (the server copies them, encrypted values included). A task of an
 * orchestration runs again alone, or its orchestration runs again from the task's phase.
 */
export function RunAgain({ job }: { job: JobJson }) {
  const queryClient = useQueryClient();
  const versions = useVersionThenAndNow(job);
  const again = useMutation({
    mutationFn: (scope: RunAgainScope) => runJobAgain(job.id, scope),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: jobKeys.lists() }),
  });
  // A task's parent is its phase when it belongs to an orchestration (the job detail has it loaded for its link).
  const parentId = job.parentRunId?.split(".").at(-1) ?? "";
  const parent = useQuery({ ...jobDetailQueryOptions(parentId), enabled: parentId !== "", refetchInterval: false, staleTime: 60_000 });
  if (job.type === "phaseContainer") return null;
  const task = job.parentRunId !== null;
  const inOrchestration = task && job.type === "standard" && parent.data?.type === "phaseContainer";
  const changed = versions && versions.then !== versions.now;
  const pending = again.isPending ? again.variables : null;
  return (
    <div className="space-y-2" data-testid="run-again">
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => again.mutate("job")} disabled={again.isPending}>
          {pending === "job" ? <Spinner /> : <span aria-hidden="true">↻</span>}
          {task ? "Run this task again alone" : "Run again"}
        </Button>
        {inOrchestration && (
          <Button onClick={() => again.mutate("orchestrationFromHere")} disabled={again.isPending}>
            {pending === "orchestrationFromHere" ? <Spinner /> : <span aria-hidden="true">↻</span>}
            Run the orchestration from here
          </Button>
        )}
      </div>
      {changed && job.config && (
        <p data-testid="config-changed" className="max-w-sm text-xs text-amber-800 dark:text-amber-300">
          The configuration changed since this job ran:{" "}
          {versions.then === null ? "its oldest kept version is newer than the job; " : `version ${versions.then} then, `}
          <Link href={configurationHref(job.component, job.config)} className="underline">
            version {versions.now}
          </Link>{" "}
          now. Run again uses version {versions.now}.
        </p>
      )}
      {inOrchestration && (
        <p className="max-w-sm text-xs text-zinc-500 dark:text-zinc-400">
          From here: this task&apos;s phase (all its tasks) and every phase after it, as they ran; the phases before are left out.
        </p>
      )}
      {again.isError && (
        <p role="alert" className="max-w-sm text-sm text-red-700 dark:text-red-300">
          {again.error.message}
        </p>
      )}
      {again.data && <CreatedJob job={again.data} />}
    </div>
  );
}
