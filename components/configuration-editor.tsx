"use client";

import dynamic from "next/dynamic";
import { useId, useState } from "react";
import type { CodeEditorProps } from "@/components/configuration-code-editor";
import type { ConfigurationSectionProps } from "@/components/configuration-section";
import { FlowEditor } from "@/components/flow-editor";
import type { FlowConfiguration } from "@/components/flow-editor-model";
import { Button, Card, Skeleton, Spinner } from "@/components/ui";
import { checkConfigurationText } from "@/lib/configurations/check-json";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { useConfigurationMutation } from "@/lib/queries/use-configuration-mutation";

/** CodeMirror, in its own chunk: only this page loads it. */
export const CodeEditor = dynamic<CodeEditorProps>(() => import("@/components/configuration-code-editor"), {
  ssr: false,
  loading: () => <Skeleton className="h-64 w-full rounded-lg" />,
});

export const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A 409 from the optimistic check, or another failure, as people read it. */
export function SaveError({ error, onReload }: { error: Error; onReload?: () => void }) {
  const conflict = isApiRequestError(error, 409) && (error as { code?: string }).code === "versionConflict";
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
      <p>
        {conflict && <span className="font-semibold">Someone else saved first. </span>}
        {error.message}
      </p>
      {conflict && onReload && (
        <p className="mt-2 flex flex-wrap items-center gap-2">
          <span>Your text stays in the editor until you load theirs.</span>
          <Button size="sm" onClick={onReload}>
            Load the newest version
          </Button>
        </p>
      )}
    </div>
  );
}

export function ConfigurationEditorSection({ config, component, canManage }: ConfigurationSectionProps) {
  const saved = pretty(config.configuration);
  const [text, setText] = useState(saved);
  const [base, setBase] = useState({ version: config.version, text: saved });
  const [note, setNote] = useState("");
  const noteId = useId();
  const save = useConfigurationMutation({ ...config, version: base.version });
  // Another save (rollback, a row, someone else after a reload) changed the configuration: an
  // untouched editor follows it; an edited one keeps the edit, and its save is checked against
  // the version it started from.
  if (config.version !== base.version && text === base.text) {
    setBase({ version: config.version, text: saved });
    setText(saved);
  }
  const schema = component?.configurationSchema ?? null;
  const checked = checkConfigurationText(text, schema);
  const dirty = text !== base.text;

  return (
    <Card className="space-y-3 p-4" aria-labelledby="configuration-json-title">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="configuration-json-title" className="font-semibold text-zinc-900 dark:text-zinc-50">
          Configuration JSON
        </h2>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Keys starting with <span className="font-mono">#</span> are secrets, shown as <span className="font-mono">***</span>; leave them so to keep them.
          {schema && " Parameters are checked against the component's schema."}
        </p>
      </div>
      {/* An orchestration's phases and tasks, edited visually: each change rewrites the JSON below, which is what is saved. */}
      {component?.type === "orchestrator" &&
        (checked.ok ? (
          <FlowEditor configuration={checked.value as FlowConfiguration} onChange={(next) => setText(pretty(next))} disabled={!canManage} />
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">The flow editor comes back once the JSON below is valid.</p>
        ))}
      <CodeEditor value={text} onChange={setText} schema={schema} label="Configuration JSON" />
      {!checked.ok && (
        <p role="alert" data-testid="json-problem" className="text-sm text-red-700 dark:text-red-300">
          {checked.problem.message}
        </p>
      )}
      {save.isError && (
        <SaveError
          error={save.error}
          onReload={() => {
            save.reset();
            setBase({ version: config.version, text: saved });
            setText(saved);
          }}
        />
      )}
      {canManage && (
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            if (!checked.ok) return;
            save.mutate(
              { method: "PUT", body: { configuration: checked.value, ...(note.trim() && { changeDescription: note.trim() }) } },
              {
                onSuccess: (result) => {
                  const now = pretty(result.configuration);
                  setBase({ version: result.version, text: now });
                  setText(now);
                  setNote("");
                },
              },
            );
          }}
        >
          <label htmlFor={noteId} className="min-w-0 flex-1 text-sm font-medium text-zinc-800 dark:text-zinc-200">
            What changed
            <input
              id={noteId}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={1000}
              placeholder="e.g. More rows for the EU load"
              className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950"
            />
          </label>
          <div className="flex gap-2">
            <Button disabled={!dirty || save.isPending} onClick={() => setText(base.text)}>
              Discard
            </Button>
            <Button type="submit" variant="primary" disabled={!dirty || !checked.ok || save.isPending}>
              {save.isPending && <Spinner />}
              Save as version {base.version + 1}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}
