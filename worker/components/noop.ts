import type { ComponentDefinition } from "./types";

/** Does nothing and succeeds: measures the engine itself (dispatch benchmarks, tests). */
export const noop: ComponentDefinition = {
  id: "jobdeck.noop",
  name: "No-op",
  type: "other",
  runtime: null,
  description: "Succeeds at once without doing anything. Measures the engine itself.",
  async run() {
    return { message: "Nothing to do" };
  },
};
