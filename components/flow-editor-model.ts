// The orchestrator configuration as the flow editor sees it, and the edits it makes. The JSON is
// the source of truth: every edit is a change of the configuration object itself, so whatever the
// editor does not touch (unknown keys, a task written as "component/config" or as a job body) stays
// exactly as it was, and an edit of nothing gives back the same JSON, key order included.

type Json = unknown;
type JsonObject = Record<string, Json>;
export type FlowConfiguration = JsonObject;

export type FlowTask = {
  /** "component/config", or a job body such as {"component", "config", "configData"}. */
  component: string;
  config: string | null;
  inline: boolean;
  enabled: boolean;
  continueOnFailure: boolean;
};
export type FlowPhase = { name: string; tasks: FlowTask[] };
export type TaskAt = { phase: number; index: number };

const isObject = (v: Json): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function phasesOf(configuration: FlowConfiguration): JsonObject[] {
  return Array.isArray(configuration.phases) ? (configuration.phases as Json[]).map((p) => (isObject(p) ? p : {})) : [];
}

function tasksOf(phase: JsonObject): Json[] {
  return Array.isArray(phase.tasks) ? (phase.tasks as Json[]) : [];
}

export function readTask(task: Json): FlowTask {
  if (typeof task === "string") {
    const [component, ...rest] = task.split("/");
    return { component: component ?? "", config: rest.join("/") || null, inline: false, enabled: true, continueOnFailure: false };
  }
  const body = isObject(task) ? task : {};
  return {
    component: typeof body.component === "string" ? body.component : "",
    config: typeof body.config === "string" ? body.config : null,
    inline: body.config === undefined && body.configData !== undefined,
    enabled: body.enabled !== false,
    continueOnFailure: body.continueOnFailure === true,
  };
}

/** What the editor shows: the phases in order with their tasks. */
export function readFlow(configuration: FlowConfiguration): FlowPhase[] {
  return phasesOf(configuration).map((phase, i) => ({
    name: typeof phase.name === "string" ? phase.name : `Phase ${i + 1}`,
    tasks: tasksOf(phase).map(readTask),
  }));
}

function withPhases(configuration: FlowConfiguration, phases: JsonObject[]): FlowConfiguration {
  return { ...configuration, phases };
}

function withTasks(phase: JsonObject, tasks: Json[]): JsonObject {
  return { ...phase, tasks };
}

export function addPhase(configuration: FlowConfiguration, name: string): FlowConfiguration {
  return withPhases(configuration, [...phasesOf(configuration), { name, tasks: [] }]);
}

export function renamePhase(configuration: FlowConfiguration, phase: number, name: string): FlowConfiguration {
  return withPhases(configuration, phasesOf(configuration).map((p, i) => (i === phase ? { ...p, name } : p)));
}

/** Only an empty phase goes: a task is never dropped by removing its phase. */
export function removePhase(configuration: FlowConfiguration, phase: number): FlowConfiguration {
  const phases = phasesOf(configuration);
  if (tasksOf(phases[phase] ?? {}).length > 0) return configuration;
  return withPhases(configuration, phases.filter((_, i) => i !== phase));
}

/** Adds "component/config" at the end of a phase, the way tasks are usually written. */
export function addTask(configuration: FlowConfiguration, phase: number, task: { component: string; config: string }): FlowConfiguration {
  return withPhases(configuration, phasesOf(configuration).map((p, i) => (i === phase ? withTasks(p, [...tasksOf(p), `${task.component}/${task.config}`]) : p)));
}

export function removeTask(configuration: FlowConfiguration, at: TaskAt): FlowConfiguration {
  return withPhases(configuration, phasesOf(configuration).map((p, i) => (i === at.phase ? withTasks(p, tasksOf(p).filter((_, t) => t !== at.index)) : p)));
}

/** Moves a task to a position of the same or another phase (index counted after it was taken out). */
export function moveTask(configuration: FlowConfiguration, from: TaskAt, to: TaskAt): FlowConfiguration {
  const phases = phasesOf(configuration).map((p) => ({ phase: p, tasks: [...tasksOf(p)] }));
  const source = phases[from.phase];
  const target = phases[to.phase];
  if (!source || !target || from.index < 0 || from.index >= source.tasks.length) return configuration;
  const [task] = source.tasks.splice(from.index, 1);
  target.tasks.splice(Math.max(0, Math.min(to.index, target.tasks.length)), 0, task);
  return withPhases(configuration, phases.map(({ phase, tasks }, i) => (i === from.phase || i === to.phase ? withTasks(phase, tasks) : phase)));
}

/**
 * Sets `enabled` or `continueOnFailure` of a task. A "component/config" task becomes a job body
 * to hold the flag; back at its default, the flag is removed again, and a body left with only
 * component and config is written as "component/config".
 */
export function setTaskFlag(configuration: FlowConfiguration, at: TaskAt, flag: "enabled" | "continueOnFailure", value: boolean): FlowConfiguration {
  const fallback = flag === "enabled";
  return withPhases(
    configuration,
    phasesOf(configuration).map((p, i) =>
      i !== at.phase
        ? p
        : withTasks(
            p,
            tasksOf(p).map((task, t) => {
              if (t !== at.index) return task;
              const body: JsonObject = typeof task === "string" ? { ...readTaskBody(task) } : isObject(task) ? { ...task } : {};
              if (value === fallback) delete body[flag];
              else body[flag] = value;
              // Nothing but component and config left: the short "component/config" form again.
              const keys = Object.keys(body);
              if (typeof body.component === "string" && typeof body.config === "string" && keys.every((k) => k === "component" || k === "config")) {
                return `${body.component}/${body.config}`;
              }
              return body;
            }),
          ),
    ),
  );
}

function readTaskBody(task: string): JsonObject {
  const { component, config } = readTask(task);
  return { component, ...(config !== null && { config }) };
}
