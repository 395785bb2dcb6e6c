"use client";

import { useId, useRef, useState } from "react";
import { CodeEditor, pretty, SaveError } from "@/components/configuration-editor";
import type { ConfigurationSectionProps } from "@/components/configuration-section";
import { RunDialog } from "@/components/run-dialog";
import { Button, Card, Spinner } from "@/components/ui";
import { checkConfigurationText } from "@/lib/configurations/check-json";
import type { ConfigurationJson, ConfigurationRowJson } from "@/lib/schemas/configurations";
import { useConfigurationMutation } from "@/lib/queries/use-configuration-mutation";

/** Configuration rows: add, edit, enable/disable, reorder, delete, and run one. */
export function ConfigurationRows({ config, component, canManage }: ConfigurationSectionProps) {
  const change = useConfigurationMutation(config);
  const [name, setName] = useState("");
  const nameId = useId();
  const rowPath = (id: string) => `/rows/${encodeURIComponent(id)}`;
  const move = (index: number, by: number) => {
    const order = config.rows.map((r) => r.id);
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved!);
    change.mutate({ method: "PUT", path: "/rows-sort", body: { rowsSortOrder: order } });
  };

  return (
    <Card className="space-y-3 p-4" aria-labelledby="rows-title">
      <h2 id="rows-title" className="font-semibold text-zinc-900 dark:text-zinc-50">
        Rows <span className="text-sm font-normal text-zinc-500">({config.rows.length})</span>
      </h2>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">Each row runs as its own part of a job, in this order (or side by side with a parallelism).</p>
      {change.isError && <SaveError error={change.error} />}
      {config.rows.length > 0 && (
        <ol className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {config.rows.map((row, index) => (
            <RowItem
              key={row.id}
              config={config}
              row={row}
              schema={component?.configurationSchema ?? null}
              canManage={canManage}
              pending={change.isPending}
              first={index === 0}
              last={index === config.rows.length - 1}
              onMove={(by) => move(index, by)}
              onToggle={() => change.mutate({ method: "PUT", path: rowPath(row.id), body: { isDisabled: !row.isDisabled } })}
              onDelete={() => change.mutate({ method: "DELETE", path: rowPath(row.id), body: {} })}
            />
          ))}
        </ol>
      )}
      {canManage && (
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) change.mutate({ method: "POST", path: "/rows", body: { name: name.trim() } }, { onSuccess: () => setName("") });
          }}
        >
          <label htmlFor={nameId} className="min-w-0 flex-1 text-sm font-medium text-zinc-800 dark:text-zinc-200">
            New row
            <input
              id={nameId}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              placeholder="Row name"
              className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950"
            />
          </label>
          <Button type="submit" disabled={!name.trim() || change.isPending}>
            Add row
          </Button>
        </form>
      )}
    </Card>
  );
}

function RowItem(props: {
  config: ConfigurationJson;
  row: ConfigurationRowJson;
  schema: Record<string, unknown> | null;
  canManage: boolean;
  pending: boolean;
  first: boolean;
  last: boolean;
  onMove: (by: number) => void;
  onToggle: () => void;
  onDelete: () => void;
}) {
  const { config, row, canManage, pending } = props;
  const [editing, setEditing] = useState(false);
  const [running, setRunning] = useState(false);
  const runRef = useRef<HTMLButtonElement>(null);
  return (
    <li data-row-id={row.id} className="space-y-2 px-3 py-2">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <div className="min-w-0 flex-1">
          <span className={`font-medium ${row.isDisabled ? "text-zinc-500 line-through" : "text-zinc-900 dark:text-zinc-100"}`}>{row.name}</span>{" "}
          <span className="font-mono text-xs text-zinc-500">{row.id}</span>
          {row.isDisabled && <span className="ml-2 rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">disabled</span>}
        </div>
        <div className="flex flex-wrap gap-1">
          {canManage && (
            <>
              <Button size="sm" variant="ghost" aria-label={`Move ${row.name} up`} disabled={props.first || pending} onClick={() => props.onMove(-1)}>
                ↑
              </Button>
              <Button size="sm" variant="ghost" aria-label={`Move ${row.name} down`} disabled={props.last || pending} onClick={() => props.onMove(1)}>
                ↓
              </Button>
              <Button size="sm" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
                {editing ? "Close" : "Edit"}
              </Button>
              <Button size="sm" disabled={pending} onClick={props.onToggle}>
                {row.isDisabled ? "Enable" : "Disable"}
              </Button>
              <Button size="sm" variant="ghost" disabled={pending} onClick={props.onDelete} aria-label={`Delete row ${row.name}`}>
                Delete
              </Button>
              <Button ref={runRef} size="sm" variant="primary" onClick={() => setRunning(true)} aria-label={`Run row ${row.name}`}>
                Run
              </Button>
            </>
          )}
        </div>
      </div>
      {editing && <RowEditor config={config} row={row} schema={props.schema} onDone={() => setEditing(false)} />}
      {running && <RunDialog open onClose={() => setRunning(false)} config={config} rowIds={[row.id]} returnFocus={runRef} />}
    </li>
  );
}

function RowEditor({ config, row, schema, onDone }: { config: ConfigurationJson; row: ConfigurationRowJson; schema: Record<string, unknown> | null; onDone: () => void }) {
  const [text, setText] = useState(() => pretty(row.configuration));
  const [name, setName] = useState(row.name);
  const save = useConfigurationMutation(config);
  const checked = checkConfigurationText(text, schema);
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!checked.ok) return;
        save.mutate({ method: "PUT", path: `/rows/${encodeURIComponent(row.id)}`, body: { name: name.trim() || row.name, configuration: checked.value } }, { onSuccess: onDone });
      }}
    >
      <label className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950" />
      </label>
      <CodeEditor value={text} onChange={setText} schema={schema} label={`Configuration JSON of row ${row.name}`} minHeight="8rem" />
      {!checked.ok && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {checked.problem.message}
        </p>
      )}
      {save.isError && <SaveError error={save.error} />}
      <Button type="submit" size="sm" variant="primary" disabled={!checked.ok || save.isPending}>
        {save.isPending && <Spinner />}
        Save row
      </Button>
    </form>
  );
}
