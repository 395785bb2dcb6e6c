"use client";

import { useQuery } from "@tanstack/react-query";
import { ComponentIcon } from "@/components/component-label";
import { formatCommand } from "@/components/job-process-runs";
import { formatBytes, formatDateTime, formatUtc, plural } from "@/components/format";
import { Card, EmptyState, ErrorState, Skeleton } from "@/components/ui";
import type { ProcessComponentJson } from "@/lib/schemas/components";
import { componentCatalogQueryOptions } from "@/lib/queries/components";

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
          groupByType(query.data).map(([type, list]) => <TypeGroup key={type} type={type} components={list} />)
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

function TypeGroup({ type, components }: { type: string; components: readonly ProcessComponentJson[] }) {
  const headingId = `components-${type}`;
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
        {TYPE_TITLE[type] ?? type} <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">({components.length})</span>
      </h2>
      <ul className="grid gap-3 lg:grid-cols-2">
        {components.map((c) => (
          <ComponentItem key={c.id} component={c} />
        ))}
      </ul>
    </section>
  );
}

function ComponentItem({ component }: { component: ProcessComponentJson }) {
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
