import { maskSecrets } from "@/lib/secrets/secrets";
import { type ComponentDefinition, UserError, sleep } from "./types";

const OPERATIONS = ["success", "fail", "sleep", "dump-config"] as const;

/**
 * Keboola's keboola.runner-config-test: the component Keboola's own clients and runner tests configure
 * (kbcstorage's functional suite creates its configurations). It does what `parameters.operation`
 * says, so a configuration of it checks a job's path end to end without touching data.
 */
export const runnerConfigTest: ComponentDefinition = {
  id: "keboola.runner-config-test",
  name: "Runner Config Test",
  type: "other",
  runtime: null,
  description:
    'Does what parameters.operation says: "success" (the default), "fail", "sleep" (parameters.timeout seconds) or "dump-config" (logs the configuration, secrets masked). For testing clients and runs.',
  async run({ configuration, signal, log }) {
    const parameters = (configuration.parameters ?? {}) as Record<string, unknown>;
    if (typeof parameters !== "object" || Array.isArray(parameters)) throw new UserError('Configuration "parameters" must be an object.');
    const operation = parameters.operation ?? "success";
    switch (operation) {
      case "success":
        await log("Operation success: done", "success");
        return { message: "Operation success: done" };
      case "fail":
        throw new UserError("Operation fail: failing as configured.");
      case "sleep": {
        const seconds = Number(parameters.timeout ?? 10);
        if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) throw new UserError('Configuration "parameters.timeout" must be a number of seconds from 0 to 86400.');
        await log(`Operation sleep: sleeping ${seconds} s`);
        await sleep(seconds * 1000, signal);
        return { message: `Slept ${seconds} s` };
      }
      case "dump-config":
        await log(`Configuration: ${JSON.stringify(maskSecrets(configuration))}`);
        return { message: "Configuration dumped to the log" };
      default:
        throw new UserError(`Configuration "parameters.operation" must be one of ${OPERATIONS.map((o) => `"${o}"`).join(", ")}; got ${JSON.stringify(operation).slice(0, 100)}.`);
    }
  },
};
