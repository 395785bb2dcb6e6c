// How a container ends, from how its children ended. One rule: a failed child fails the
// container unless the container's `onError` is `warning`, which ends it as `warning`; a child that
// may fail (a flow task with continueOnFailure, run with its own onError "warning") only warns.
import type { JobOutcome } from "@/lib/jobs/transitions-types";
import type { JobResult } from "@/lib/schemas/jobs";

export type FinishedChild = {
  id: bigint;
  status: string;
  component: string;
  config: string | null;
  result: JobResult;
  /** A task marked continueOnFailure runs with onError "warning": its failure only warns its phase. */
  onError?: string | null;
};

const FAILED = new Set(["error", "terminated", "cancelled"]);

export function containerOutcome(children: FinishedChild[], onError: string | null): { outcome: JobOutcome; result: JobResult } {
  const mayFail = (c: FinishedChild) => c.onError === "warning" && c.status === "error";
  const failed = children.filter((c) => FAILED.has(c.status) && !mayFail(c));
  const warned = children.filter((c) => c.status === "warning" || mayFail(c));
  const name = (c: FinishedChild) => `job ${c.id} (${c.component}${c.config ? `/${c.config}` : ""})`;
  if (failed.length > 0) {
    const first = failed[0]!;
    const why = first.result.error?.message ?? `ended ${first.status}`;
    const message = `${failed.length} of ${children.length} child jobs did not succeed; ${name(first)}: ${why}`;
    if (onError === "warning") return { outcome: "warn", result: { message: `Finished with warnings: ${message}` } };
    return { outcome: "fail", result: { message, error: { type: "user", message } } };
  }
  if (warned.length > 0) {
    const first = warned[0]!;
    const what = mayFail(first) ? "failed; its task continues on failure" : "ended with a warning";
    return { outcome: "warn", result: { message: `Finished with warnings: ${name(first)} ${what}.` } };
  }
  return { outcome: "succeed", result: { message: `All ${children.length} child jobs finished successfully.` } };
}
