import "server-only";
import type { Db } from "@/lib/db";
import { createJob } from "@/lib/jobs/create-job";
import type { CreateJobInput } from "@/lib/schemas/jobs";

// Keeps the demo project busy so a newcomer sees jobs move through every status. Each entry
// submits a job every `everyMs`; the configurations are the seeded demo ones.
const SCHEDULE: { everyMs: number; firstAfterMs: number; input: CreateJobInput }[] = [
  { everyMs: 40_000, firstAfterMs: 15_000, input: { component: "jobdeck.generator", config: "603", mode: "run" } },
  { everyMs: 55_000, firstAfterMs: 30_000, input: { component: "jobdeck.generator", config: "604", mode: "run" } },
  { everyMs: 70_000, firstAfterMs: 45_000, input: { component: "jobdeck.generator", config: "601", mode: "run" } },
  { everyMs: 120_000, firstAfterMs: 60_000, input: { component: "jobdeck.generator", config: "605", mode: "run", parallelism: "2" } },
  { everyMs: 240_000, firstAfterMs: 90_000, input: { component: "keboola.orchestrator", config: "502", mode: "run" } },
  { everyMs: 300_000, firstAfterMs: 150_000, input: { component: "keboola.orchestrator", config: "501", mode: "run" } },
];

export function startDemoActivity(db: Db, log: (line: string) => void = console.log): () => void {
  const timers: NodeJS.Timeout[] = [];
  const submit = async (input: CreateJobInput) => {
    const token = await db.token.findFirst({ where: { project: { isDemo: true }, description: { in: ["Demo activity", "Scheduler"] }, revokedAt: null } });
    if (!token) return;
    // Do not pile up work when nobody runs it.
    const queued = await db.job.count({ where: { projectId: token.projectId, status: { in: ["created", "waiting"] } } });
    if (queued > 20) return;
    await createJob({ db, auth: { projectId: token.projectId, tokenId: token.id }, input });
  };
  for (const entry of SCHEDULE) {
    const run = () => void submit(entry.input).catch((e) => log(`[demo] could not submit a job: ${e instanceof Error ? e.message : e}`));
    timers.push(setTimeout(() => {
      run();
      timers.push(setInterval(run, entry.everyMs));
    }, entry.firstAfterMs));
  }
  return () => timers.forEach((t) => clearTimeout(t));
}
