import type { JobJson } from "@/lib/schemas/jobs";
import type { BulkKillTarget } from "@/lib/queries/use-bulk-kill-jobs";

type Labelled = Pick<JobJson, "configName" | "config" | "configData" | "type">;

/** What a person calls the job: its configuration's name, its phase, or that it ran inline. */
export function configurationLabel(job: Labelled): { text: string; inline: boolean } {
  if (job.configName) return { text: job.configName, inline: false };
  const phase = job.configData?.phase;
  if (job.type === "phaseContainer" && typeof phase === "string") return { text: `Phase “${phase}”`, inline: false };
  if (job.config) return { text: `Configuration ${job.config}`, inline: false };
  return { text: "inline configuration", inline: true };
}

/** A job as the bulk terminate dialog lists it. */
export function bulkKillTarget(job: JobJson): BulkKillTarget {
  return { id: job.id, label: configurationLabel(job).text };
}

const TYPE_LABELS: Record<JobJson["type"], string> = {
  standard: "Standard job",
  container: "Container",
  phaseContainer: "Phase",
  orchestrationContainer: "Orchestration",
};

export function jobTypeLabel(type: JobJson["type"]): string {
  return TYPE_LABELS[type];
}
