"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import { ComponentIcon } from "@/components/component-label";
import { SaveError } from "@/components/configuration-editor";
import type { ConfigurationSectionProps } from "@/components/configuration-section";
import { configurationSections } from "@/components/configuration-sections";
import { formatDateTime, formatUtc } from "@/components/format";
import { RunDialog } from "@/components/run-dialog";
import { Button, ErrorState, Skeleton, Spinner } from "@/components/ui";
import type { ConfigurationJson } from "@/lib/schemas/configurations";
import { apiFetch, isApiRequestError } from "@/lib/queries/api-fetch";
import { componentCatalogQueryOptions, componentKeys } from "@/lib/queries/components";
import { configurationHref } from "@/components/hrefs";
import { configPath, configurationQueryOptions } from "@/lib/queries/configurations";
import { sessionQueryOptions } from "@/lib/queries/session";
import { useConfigurationMutation } from "@/lib/queries/use-configuration-mutation";

const INPUT = "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950";

/** /components/{componentId}/{configId}: the header, then each of configurationSections. */
export function ConfigurationPage({ componentId, configId, emailConfigured }: { componentId: string; configId: string; emailConfigured: boolean }) {
  const query = useQuery(configurationQueryOptions(componentId, configId));
  const catalog = useQuery(componentCatalogQueryOptions());
  const session = useQuery(sessionQueryOptions());
  if (query.isError && !query.data) {
    if (isApiRequestError(query.error, 404)) {
      return (
        <div className="space-y-4">
          <h1 className="text-2xl font-semibold text-zinc-900 dark:text-zinc-50">Configuration {configId} was not found</h1>
          <p className="text-zinc-600 dark:text-zinc-400">It does not exist in this project, or it was deleted.</p>
          <Link href="/components" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Back to components
          </Link>
        </div>
      );
    }
    return <ErrorState title={`Could not load configuration ${configId}`} error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (!query.data) {
    return (
      <div className="space-y-4" aria-busy="true">
        <span role="status" className="sr-only">
          Loading the configuration
        </span>
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-72 w-full rounded-xl" />
      </div>
    );
  }
  const props: ConfigurationSectionProps = {
    config: query.data,
    component: catalog.data?.find((c) => c.id === componentId),
    canManage: session.data?.token.canManageJobs === true,
    emailConfigured,
  };
  return (
    <article aria-labelledby="configuration-title" className="space-y-6">
      <ConfigurationHeader {...props} />
      {configurationSections
        .filter((s) => s.when?.(props) ?? true)
        .map((s) => (
          <div key={s.id} data-section={s.id}>
            {s.render(props)}
          </div>
        ))}
    </article>
  );
}

function ConfigurationHeader({ config, component, canManage }: ConfigurationSectionProps) {
  const [running, setRunning] = useState(false);
  const [editing, setEditing] = useState(false);
  const runRef = useRef<HTMLButtonElement>(null);
  const toggle = useConfigurationMutation(config);
  return (
    <header className="space-y-3">
      <nav aria-label="Breadcrumbs" className="text-sm text-zinc-500 dark:text-zinc-400">
        <Link href="/components" className="hover:underline">
          Components
        </Link>{" "}
        / <span>{component?.name ?? config.componentId}</span>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-start gap-3">
          <ComponentIcon componentId={config.componentId} size="lg" />
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2">
              <h1 id="configuration-title" className="break-words text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
                {config.name}
              </h1>
              <span
                data-testid="enabled-state"
                className={`rounded px-1.5 py-0.5 text-xs font-medium ${config.isDisabled ? "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" : "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"}`}
              >
                {config.isDisabled ? "Disabled" : "Enabled"}
              </span>
            </div>
            <p className="font-mono text-xs text-zinc-500 dark:text-zinc-400">
              {config.componentId} / {config.id} · version {config.version} · updated{" "}
              <time dateTime={config.updated} title={formatUtc(config.updated)}>
                {formatDateTime(config.updated)}
              </time>
            </p>
            {config.description && <p className="mt-2 max-w-3xl whitespace-pre-line text-sm text-zinc-700 dark:text-zinc-300">{config.description}</p>}
          </div>
        </div>
        {canManage && (
          <div className="flex flex-wrap gap-2">
            <Button ref={runRef} variant="primary" onClick={() => setRunning(true)}>
              Run
            </Button>
            <Button onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
              Edit details
            </Button>
            <Button disabled={toggle.isPending} onClick={() => toggle.mutate({ method: "PUT", body: { isDisabled: !config.isDisabled } })}>
              {config.isDisabled ? "Enable" : "Disable"}
            </Button>
            <CopyButton config={config} />
            <DeleteButton config={config} />
          </div>
        )}
      </div>
      {toggle.isError && <SaveError error={toggle.error} />}
      {editing && <DetailsForm config={config} onDone={() => setEditing(false)} />}
      {running && <RunDialog open onClose={() => setRunning(false)} config={config} returnFocus={runRef} />}
    </header>
  );
}

function DetailsForm({ config, onDone }: { config: ConfigurationJson; onDone: () => void }) {
  const [name, setName] = useState(config.name);
  const [description, setDescription] = useState(config.description);
  const save = useConfigurationMutation(config);
  return (
    <form
      className="max-w-2xl space-y-2 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ method: "PUT", body: { name, description } }, { onSuccess: onDone });
      }}
    >
      <label className="block text-sm font-medium">
        Name
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} className={INPUT} />
      </label>
      <label className="block text-sm font-medium">
        Description
        <textarea maxLength={10_000} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} className={INPUT} />
      </label>
      {save.isError && <SaveError error={save.error} />}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending || !name.trim()}>
          Save details
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

function CopyButton({ config }: { config: ConfigurationJson }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(`${config.name} (copy)`);
  const id = useId();
  const copy = useMutation({
    mutationFn: async () =>
      (await apiFetch<ConfigurationJson>(`${configPath(config.componentId, config.id)}/versions/${config.version}/create`, { method: "POST", body: { name } })).data,
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: componentKeys.all });
      router.push(configurationHref(created.componentId, created.id));
    },
  });
  if (!open) return <Button onClick={() => setOpen(true)}>Copy</Button>;
  return (
    <form
      className="flex w-full flex-wrap items-end gap-2 sm:w-auto"
      onSubmit={(e) => {
        e.preventDefault();
        copy.mutate();
      }}
    >
      <label htmlFor={id} className="text-sm font-medium">
        Name of the copy
        <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} className={INPUT} />
      </label>
      <Button type="submit" variant="primary" disabled={copy.isPending}>
        {copy.isPending && <Spinner />}
        Copy
      </Button>
      <Button onClick={() => setOpen(false)}>Cancel</Button>
      {copy.isError && <p role="alert" className="w-full text-sm text-red-700">{copy.error.message}</p>}
    </form>
  );
}

function DeleteButton({ config }: { config: ConfigurationJson }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: async () => (await apiFetch<null>(configPath(config.componentId, config.id), { method: "DELETE" })).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: componentKeys.all });
      router.push("/components");
    },
  });
  if (!confirming) {
    return (
      <Button variant="ghost" onClick={() => setConfirming(true)}>
        Delete
      </Button>
    );
  }
  return (
    <span className="flex flex-wrap items-center gap-2">
      <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
        Delete “{config.name}” and its versions
      </Button>
      <Button onClick={() => setConfirming(false)}>Keep it</Button>
      {remove.isError && <span role="alert" className="text-sm text-red-700">{remove.error.message}</span>}
    </span>
  );
}
