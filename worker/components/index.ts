// The built-in components. To add one, write a ComponentDefinition (see types.ts) in its own file
// and list it here; `npm start` registers it in the database on the next start.
import { csvExtractor } from "./csv-extractor";
import { filesWriter } from "./files-writer";
import { generator } from "./generator";
import { noop } from "./noop";
import { pythonTransformation } from "./python-transformation";
import { runnerConfigTest } from "./runner-config-test";
import { scheduler } from "./scheduler";
import { sqlTransformation } from "./sql-transformation";
import type { ComponentDefinition } from "./types";

const orchestrator: ComponentDefinition = {
  id: "keboola.orchestrator",
  name: "Orchestrator",
  type: "orchestrator",
  runtime: null,
  description: "Runs tasks in phases: phase N+1 starts when phase N has finished.",
};

export const COMPONENTS: ComponentDefinition[] = [orchestrator, csvExtractor, sqlTransformation, filesWriter, generator, noop, pythonTransformation, scheduler, runnerConfigTest];

const byId = new Map(COMPONENTS.map((c) => [c.id, c]));
export function findComponent(id: string): ComponentDefinition | undefined {
  return byId.get(id);
}

/** The catalog rows for the database (what the API and the credit rates read). */
export function componentRecords() {
  return COMPONENTS.map(({ id, name, type, runtime, description }) => ({ id, name, type, runtime, description }));
}
