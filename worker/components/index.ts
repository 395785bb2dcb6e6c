// The built-in components. To add one, write a ComponentDefinition (see types.ts) in its own file
// and list it here; `npm start` registers it in the database on the next start.
import { generator } from "./generator";
import { noop } from "./noop";
import type { ComponentDefinition } from "./types";

const orchestrator: ComponentDefinition = {
  id: "keboola.orchestrator",
  name: "Orchestrator",
  type: "orchestrator",
  runtime: null,
  description: "Runs tasks in phases: phase N+1 starts when phase N has finished.",
};

// Components known to the catalog whose runners arrive with Storage (they read and write tables).
const catalogOnly: ComponentDefinition[] = [
  { id: "keboola.ex-http", name: "HTTP CSV Extractor", type: "extractor", runtime: null, description: "Downloads CSV files over HTTP(S) into Storage tables." },
  { id: "jobdeck.sql-transformation", name: "SQL Transformation", type: "transformation", runtime: "sql", description: "Runs SQL over input tables in an isolated workspace." },
  { id: "keboola.python-transformation-v2", name: "Python Transformation", type: "transformation", runtime: "python", description: "Runs a Python script over input tables." },
  { id: "jobdeck.wr-files", name: "CSV Files Writer", type: "writer", runtime: null, description: "Exports Storage tables to files." },
];

export const COMPONENTS: ComponentDefinition[] = [orchestrator, generator, noop, ...catalogOnly];

const byId = new Map(COMPONENTS.map((c) => [c.id, c]));
export function findComponent(id: string): ComponentDefinition | undefined {
  return byId.get(id);
}

/** The catalog rows for the database (what the API and the credit rates read). */
export function componentRecords() {
  return COMPONENTS.map(({ id, name, type, runtime, description }) => ({ id, name, type, runtime, description }));
}
