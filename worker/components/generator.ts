import { type ComponentDefinition, UserError, sleep } from "./types";

/** Generates rows over a configured time, failing with a configured probability: demos and load. */
export const generator: ComponentDefinition = {
  id: "jobdeck.generator",
  name: "Data Generator",
  type: "application",
  runtime: null,
  description: "Generates rows over a configured time, failing with a configured probability. For demos and load tests.",
  async run({ configuration, signal, log }) {
    const rows = numberSetting(configuration.rows, 1000, 0, 10_000_000, "rows");
    const seconds = numberSetting(configuration.durationSeconds, 5, 0, 86_400, "durationSeconds");
    const failureProbability = numberSetting(configuration.failureProbability, 0, 0, 1, "failureProbability");
    const steps = Math.max(1, Math.ceil(seconds));
    for (let step = 1; step <= steps; step++) {
      await sleep((seconds * 1000) / steps, signal);
      if (step < steps && (step % 5 === 0 || steps <= 5)) {
        await log(`Generated ${Math.round((rows * step) / steps)} of ${rows} rows`);
      }
    }
    if (Math.random() < failureProbability) {
      throw new UserError(`Generation failed, as configured (failure probability ${failureProbability}).`);
    }
    await log(`Generated ${rows} rows`, "success");
    return { message: `Generated ${rows} rows`, usageData: { rows } };
  },
};

function numberSetting(value: unknown, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UserError(`Configuration "${name}" must be a number from ${min} to ${max}.`);
  return n;
}
