"use client";

import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useId, useMemo, useState } from "react";
import { ComponentIcon } from "@/components/component-label";
import {
  type FlowConfiguration,
  type FlowTask,
  type TaskAt,
  addPhase,
  addTask,
  moveTask,
  readFlow,
  removePhase,
  removeTask,
  renamePhase,
  setTaskFlag,
} from "@/components/flow-editor-model";
import { Button, Card } from "@/components/ui";
import { componentsQueryOptions } from "@/lib/queries/components";

const controlClass =
  "rounded-md border-0 bg-white px-2 py-1 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-500 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700";

/**
 * The orchestrator configuration's phases and tasks, edited visually. `configuration` (the JSON)
 * stays the source of truth: every change is handed to `onChange` as the whole new configuration,
 * with everything the editor does not show left as it was (see flow-editor-model.ts).
 */
export function FlowEditor({ configuration, onChange, disabled = false }: { configuration: FlowConfiguration; onChange: (next: FlowConfiguration) => void; disabled?: boolean }) {
  const phases = readFlow(configuration);
  const components = useQuery(componentsQueryOptions());
  const choices = useMemo(
    () =>
      (components.data ?? [])
        .filter((c) => c.type !== "orchestrator" && c.id !== "keboola.scheduler")
        .flatMap((c) => (c.configurations ?? []).map((config) => ({ value: `${c.id}/${config.id}`, label: `${c.name} — ${config.name}` }))),
    [components.data],
  );
  const labelOf = (task: FlowTask) => {
    if (task.inline) return `${task.component} (inline configuration)`;
    const found = choices.find((c) => c.value === `${task.component}/${task.config}`);
    return found?.label ?? `${task.component}/${task.config ?? "?"}`;
  };
  const [newPhase, setNewPhase] = useState("");

  return (
    <div className="space-y-4" aria-label="Flow editor" role="group">
      <ol className="space-y-4">
        {phases.map((phase, p) => (
          <li key={p}>
            <PhaseCard
              index={p}
              name={phase.name}
              count={phases.length}
              disabled={disabled}
              onRename={(name) => onChange(renamePhase(configuration, p, name))}
              onRemove={phase.tasks.length === 0 ? () => onChange(removePhase(configuration, p)) : undefined}
              onAdd={(value) => {
                const [component, ...rest] = value.split("/");
                onChange(addTask(configuration, p, { component: component!, config: rest.join("/") }));
              }}
              choices={choices}
            >
              {phase.tasks.length === 0 ? (
                <p className="px-4 py-3 text-sm text-zinc-500 dark:text-zinc-400">No tasks yet.</p>
              ) : (
                <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
                  {phase.tasks.map((task, t) => (
                    <TaskRow
                      key={t}
                      task={task}
                      label={labelOf(task)}
                      at={{ phase: p, index: t }}
                      phases={phases.map((ph) => ph.name)}
                      last={t === phase.tasks.length - 1}
                      disabled={disabled}
                      onMove={(to) => onChange(moveTask(configuration, { phase: p, index: t }, to))}
                      onFlag={(flag, value) => onChange(setTaskFlag(configuration, { phase: p, index: t }, flag, value))}
                      onRemove={() => onChange(removeTask(configuration, { phase: p, index: t }))}
                    />
                  ))}
                </ul>
              )}
            </PhaseCard>
          </li>
        ))}
      </ol>
      <form
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!newPhase.trim()) return;
          onChange(addPhase(configuration, newPhase.trim()));
          setNewPhase("");
        }}
      >
        <label className="sr-only" htmlFor="flow-new-phase">
          New phase name
        </label>
        <input id="flow-new-phase" value={newPhase} onChange={(e) => setNewPhase(e.target.value)} placeholder="New phase name" className={controlClass} disabled={disabled} />
        <Button type="submit" size="sm" disabled={disabled || !newPhase.trim()}>
          Add phase
        </Button>
      </form>
    </div>
  );
}

function PhaseCard(props: {
  index: number;
  name: string;
  count: number;
  disabled: boolean;
  choices: { value: string; label: string }[];
  onRename: (name: string) => void;
  onRemove?: () => void;
  onAdd: (value: string) => void;
  children: ReactNode;
}) {
  const ids = { name: useId(), add: useId() };
  const [adding, setAdding] = useState("");
  return (
    <Card as="div" aria-label={`Phase ${props.index + 1}: ${props.name}`}>
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-100 px-4 py-3 dark:border-zinc-800">
        <span className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Phase {props.index + 1}</span>
        <label htmlFor={ids.name} className="sr-only">
          Name of phase {props.index + 1}
        </label>
        <input id={ids.name} value={props.name} onChange={(e) => props.onRename(e.target.value)} disabled={props.disabled} className={`${controlClass} min-w-0 flex-1 font-medium`} />
        {props.onRemove && (
          <Button size="sm" variant="ghost" onClick={props.onRemove} disabled={props.disabled}>
            Remove phase
          </Button>
        )}
      </div>
      {props.children}
      <div className="flex flex-wrap items-center gap-2 border-t border-zinc-100 px-4 py-3 dark:border-zinc-800">
        <label htmlFor={ids.add} className="sr-only">
          Configuration to add to phase {props.index + 1}
        </label>
        <select id={ids.add} value={adding} onChange={(e) => setAdding(e.target.value)} disabled={props.disabled} className={`${controlClass} min-w-0 basis-full sm:basis-0 sm:flex-1`}>
          <option value="">Add a task: choose a configuration</option>
          {props.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <Button
          size="sm"
          disabled={props.disabled || !adding}
          onClick={() => {
            props.onAdd(adding);
            setAdding("");
          }}
        >
          Add task
        </Button>
      </div>
    </Card>
  );
}

function TaskRow(props: {
  task: FlowTask;
  label: string;
  at: TaskAt;
  phases: string[];
  last: boolean;
  disabled: boolean;
  onMove: (to: TaskAt) => void;
  onFlag: (flag: "enabled" | "continueOnFailure", value: boolean) => void;
  onRemove: () => void;
}) {
  const { task, at } = props;
  const moveId = useId();
  return (
    <li className={`flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 ${task.enabled ? "" : "opacity-60"}`} aria-label={props.label}>
      {/* A whole line on phones: beside the controls the name would shrink to nothing. */}
      <span className="flex min-w-0 basis-full items-center gap-2 sm:basis-0 sm:flex-1">
        <ComponentIcon componentId={task.component} />
        <span className="truncate text-sm font-medium">{props.label}</span>
        {!task.enabled && <span className="text-xs text-zinc-500">(disabled)</span>}
      </span>
      <label className="inline-flex items-center gap-1.5 text-sm">
        <input type="checkbox" checked={task.enabled} disabled={props.disabled} onChange={(e) => props.onFlag("enabled", e.target.checked)} />
        Enabled
      </label>
      <label className="inline-flex items-center gap-1.5 text-sm">
        <input type="checkbox" checked={task.continueOnFailure} disabled={props.disabled} onChange={(e) => props.onFlag("continueOnFailure", e.target.checked)} />
        Continue on failure
      </label>
      <span className="inline-flex items-center gap-1">
        <Button size="sm" variant="ghost" aria-label="Move up" disabled={props.disabled || at.index === 0} onClick={() => props.onMove({ phase: at.phase, index: at.index - 1 })}>
          ↑
        </Button>
        <Button size="sm" variant="ghost" aria-label="Move down" disabled={props.disabled || props.last} onClick={() => props.onMove({ phase: at.phase, index: at.index + 1 })}>
          ↓
        </Button>
        <label htmlFor={moveId} className="sr-only">
          Move to phase
        </label>
        <select
          id={moveId}
          value={at.phase}
          disabled={props.disabled}
          onChange={(e) => props.onMove({ phase: Number(e.target.value), index: Number.MAX_SAFE_INTEGER })}
          className={controlClass}
        >
          {props.phases.map((name, i) => (
            <option key={i} value={i}>
              {i === at.phase ? `In phase ${i + 1}` : `Move to ${i + 1}: ${name}`}
            </option>
          ))}
        </select>
        <Button size="sm" variant="ghost" onClick={props.onRemove} disabled={props.disabled}>
          Remove
        </Button>
      </span>
    </li>
  );
}
