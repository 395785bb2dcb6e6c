import { type ComponentDefinition, UserError } from "./types";

/** Keboola's keboola.scheduler: its configurations are schedules (lib/schedules), never run as jobs. */
export const scheduler: ComponentDefinition = {
  id: "keboola.scheduler",
  name: "Scheduler",
  type: "other",
  runtime: null,
  description: "Runs a configuration on a cron schedule. Activate a configuration of it with POST /api/schedules.",
  async run() {
    throw new UserError("A keboola.scheduler configuration is a schedule: activate it with POST /api/schedules instead of running it.");
  },
};
