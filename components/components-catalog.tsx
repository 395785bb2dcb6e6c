"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ComponentIcon } from "@/components/component-label";
import { formatCommand } from "@/components/job-process-runs";
import { formatBytes, formatDateTime, formatUtc, plural } from "@/components/format";
import { JobStatusBadge } from "@/components/job-status-badge";
import { Button, Card, EmptyState, ErrorState, Skeleton, Spinner } from "@/components/ui";
import type { ProcessComponentJson } from "@/lib/schemas/components";
import type { ConfigurationJson } from "@/lib/schemas/configurations";
import type { JobJson } from "@/lib/schemas/jobs";
import { apiFetch } from "@/lib/queries/api-fetch";
import { componentCatalogQueryOptions, componentKeys, componentsQueryOptions } from "@/lib/queries/components";
import { configurationHref } from "@/components/hrefs";
import { groupedJobsQueryOptions } from "@/lib/queries/configurations";
import { sessionQueryOptions } from "@/lib/queries/session";

/** What the catalog shows beside each component: its configurations and their last runs. */
type Extras = { configurations: Map<string, ConfigurationJson[]>; lastRuns: Map<string, JobJson>; canManage: boolean };
const runKey = (componentId: string, configId: string) => `${componentId}\u0000${configId}`;

// Headings for the component types, in the order Keboola lists them.
const TYPE_ORDER = ["extractor", "transformation", "writer", "application", "orchestrator", "other"];
const TYPE_TITLE: Record<string, string> = {
  extractor: "Extractors",
  transformation: "Transformations",
  writer: "Writers",
  application: "Applications",
  orchestrator: "Orchestrators",
  other: "Other",
};

function groupByType(components: readonly ProcessComponentJson[]): [string, ProcessComponentJson[]][] {
  const groups = new Map<string, ProcessComponentJson[]>();
  for (const c of components) groups.set(c.type, [...(groups.get(c.type) ?? []), c]);
  const rank = (type: string) => (TYPE_ORDER.includes(type) ? TYPE_ORDER.indexOf(type) : TYPE_ORDER.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([type, list]) => [type, list.toSorted((a, b) => a.name.localeCompare(b.name))]);
}

/** The Components page: what the project can run, built in or added as a process component. */
export function ComponentsCatalog() {
  const query = useQuery(componentCatalogQueryOptions());
  const withConfigs = useQuery(componentsQueryOptions());
  const grouped = useQuery(groupedJobsQueryOptions({ jobsPerGroup: 1, limit: 500 }));
  const session = useQuery(sessionQueryOptions());
  const extras: Extras = {
    configurations: new Map((withConfigs.data ?? []).map((c) => [c.id, c.configurations ?? []])),
    lastRuns: new Map((grouped.data ?? []).flatMap((g) => (g.jobs[0] && g.group.configId ? [[runKey(g.group.componentId, g.group.configId), g.jobs[0]] as const] : []))),
    canManage: session.data?.token.canManageJobs === true,
  };
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Components</h1>
        <p className="max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
          What jobs of this project can run. <span className="font-medium">Built-in</span> components come with Jobdeck;{" "}
          <span className="font-medium">added</span> ones are your own programs, uploaded as versions and run in a sandbox over Keboola&apos;s Common Interface.
        </p>
      </div>
      {query.data ? (
        query.data.length === 0 ? (
          <Card>
            <EmptyState title="No components" />
          </Card>
        ) : (
          groupByType(query.data).map(([type, list]) => <TypeGroup key={type} type={type} components={list} extras={extras} />)
        )
      ) : query.isError ? (
        <ErrorState title="Could not load the components" error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <div className="space-y-3" aria-busy="true">
          <span role="status" className="sr-only">
            Loading components
          </span>
          <Skeleton className="h-6 w-40" />
          <Skeleton className="h-24 w-full rounded-xl" />
          <Skeleton className="h-24 w-full rounded-xl" />
        </div>
      )}
    </div>
  );
}

function TypeGroup({ type, components, extras }: { type: string; components: readonly ProcessComponentJson[]; extras: Extras }) {
  const headingId = `components-${type}`;
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
        {TYPE_TITLE[type] ?? type} <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">({components.length})</span>
      </h2>
      <ul className="grid gap-3 lg:grid-cols-2">
        {components.map((c) => (
          <ComponentItem key={c.id} component={c} extras={extras} />
        ))}
      </ul>
    </section>
  );
}

function ComponentItem({ component, extras }: { component: ProcessComponentJson; extras: Extras }) {
  const added = component.kind === "process";
  return (
    <li data-component-id={component.id} className="min-w-0">
      <Card as="div" className="h-full p-4">
        <div className="flex items-start gap-3">
          <ComponentIcon componentId={component.id} />
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <h3 className="font-semibold text-zinc-900 dark:text-zinc-50">{component.name}</h3>
              <span
                className={`rounded px-1.5 py-0.5 text-xs font-medium ${
                  added ? "bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300" : "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
                }`}
              >
                {added ? "Added" : "Built-in"}
              </span>
            </div>
            <p className="break-all font-mono text-xs text-zinc-500 dark:text-zinc-400">{component.id}</p>
            {component.description && <p className="mt-2 line-clamp-4 whitespace-pre-line text-sm text-zinc-700 dark:text-zinc-300">{component.description}</p>}
          </div>
        </div>
        <Configurations component={component} extras={extras} />
        {added && <Versions component={component} />}
      </Card>
    </li>
  );
}

function Versions({ component }: { component: ProcessComponentJson }) {
  const { versions } = component;
  if (versions.length === 0) return <p className="mt-3 text-sm sm:ml-9 text-amber-800 dark:text-amber-300">No version uploaded yet: jobs of it cannot run.</p>;
  return (
    <details className="group mt-3 sm:ml-9" open={versions.length <= 3}>
      <summary className="cursor-pointer list-none text-xs font-medium text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
        <span aria-hidden="true" className="mr-1 inline-block transition-transform group-open:rotate-90">
          ▸
        </span>
        {plural(versions.length, "version")}, newest first
      </summary>
      <ul aria-label={`Versions of ${component.name}`} className="mt-2 divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {versions.map((v, index) => (
          <li key={v.tag} className="space-y-1.5 px-3 py-2">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
              <span className="font-mono text-sm font-medium text-zinc-900 dark:text-zinc-100">
                {v.tag}
                {index === 0 && <span className="ml-2 font-sans text-xs font-normal text-emerald-700 dark:text-emerald-400">latest</span>}
              </span>
              <span className="text-xs text-zinc-500 dark:text-zinc-400">
                <time dateTime={v.created} title={formatUtc(v.created)} className="tabular-nums">
                  {formatDateTime(v.created)}
                </time>{" "}
                · {v.archiveType} · {formatBytes(v.sizeBytes)} · {plural(v.fileCount, "file")}
              </span>
            </div>
            <pre aria-label={`Command of ${v.tag}`} className="overflow-x-auto whitespace-pre-wrap break-all rounded bg-zinc-100 px-2 py-1 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
              {formatCommand(v.command)}
            </pre>
          </li>
        ))}
      </ul>
    </details>
  );
}

function Configurations({ component, extras }: { component: ProcessComponentJson; extras: Extras }) {
  const configurations = extras.configurations.get(component.id) ?? [];
  const [creating, setCreating] = useState(false);
  return (
    <div className="mt-3 space-y-2 sm:ml-9">
      {configurations.length > 0 && (
        <ul aria-label={`Configurations of ${component.name}`} className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {configurations.map((c) => {
            const last = extras.lastRuns.get(runKey(component.id, c.id));
            return (
              <li key={c.id} data-config-id={c.id} className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 px-3 py-2 text-sm">
                <span className="min-w-0">
                  <Link href={configurationHref(component.id, c.id)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                    {c.name}
                  </Link>{" "}
                  {c.isDisabled && <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">disabled</span>}
                  {c.rows.length > 0 && <span className="text-xs text-zinc-500"> · {plural(c.rows.length, "row")}</span>}
                </span>
                {last ? (
                  <Link href={`/jobs/${last.id}`} className="flex items-center gap-2 text-xs text-zinc-500 hover:underline dark:text-zinc-400" title={`Last run: job ${last.id}`}>
                    <JobStatusBadge status={last.status} />
                    <time dateTime={last.createdTime} title={formatUtc(last.createdTime)}>
                      {formatDateTime(last.createdTime)}
                    </time>
                  </Link>
                ) : (
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">never run</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {extras.canManage &&
        (creating ? (
          <NewConfigurationForm component={component} onCancel={() => setCreating(false)} />
        ) : (
          <Button size="sm" onClick={() => setCreating(true)} aria-label={`New configuration of ${component.name}`}>
            + New configuration
          </Button>
        ))}
    </div>
  );
}

function NewConfigurationForm({ component, onCancel }: { component: ProcessComponentJson; onCancel: () => void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const id = useId();
  const create = useMutation({
    mutationFn: async () =>
      (
        await apiFetch<ConfigurationJson>(`/api/v2/storage/components/${encodeURIComponent(component.id)}/configs`, {
          method: "POST",
          body: { name: name.trim(), description, ...(component.configurationSchema ? {} : { configuration: { parameters: {} } }) },
        })
      ).data,
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: componentKeys.all });
      router.push(configurationHref(created.componentId, created.id));
    },
  });
  const input = "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950";
  return (
    <form
      aria-label={`New configuration of ${component.name}`}
      className="space-y-2 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <label htmlFor={`${id}-name`} className="block text-sm font-medium">
        Name
        <input id={`${id}-name`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} className={input} />
      </label>
      <label htmlFor={`${id}-description`} className="block text-sm font-medium">
        Description
        <input id={`${id}-description`} maxLength={10_000} value={description} onChange={(e) => setDescription(e.target.value)} className={input} />
      </label>
      {create.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {create.error.message}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" size="sm" variant="primary" disabled={create.isPending || !name.trim()}>
          {create.isPending && <Spinner />}
          Create configuration
        </Button>
        <Button size="sm" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
