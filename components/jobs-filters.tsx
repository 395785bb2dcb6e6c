"use client";

import { useId } from "react";
import { StatusDot, statusLabel } from "@/components/job-status-badge";
import { Button } from "@/components/ui";
import { useComponentCatalog } from "@/components/use-component-catalog";
import { JOB_STATUSES, type JobStatus, UNFINISHED_STATUSES } from "@/lib/jobs/state";
import { DEFAULT_JOBS_FILTERS, hasActiveFilters, type JobsFilters } from "@/lib/schemas/filters";

const chipClass =
  "inline-flex items-center gap-1.5 rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset transition-colors " +
  "bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800 " +
  "aria-pressed:bg-indigo-600 aria-pressed:text-white aria-pressed:ring-indigo-600 dark:aria-pressed:bg-indigo-500 dark:aria-pressed:ring-indigo-500 dark:aria-pressed:text-white";

const sameStatuses = (a: readonly JobStatus[], b: readonly JobStatus[]) => a.length === b.length && a.every((s) => b.includes(s));

export function JobsFiltersBar({ filters, onChange }: { filters: JobsFilters; onChange: (next: JobsFilters) => void }) {
  const componentSelectId = useId();
  const scopeId = useId();
  const unfinishedOnly = sameStatuses(filters.status, UNFINISHED_STATUSES);

  function toggleStatus(status: JobStatus) {
    const next = filters.status.includes(status) ? filters.status.filter((s) => s !== status) : [...filters.status, status];
    onChange({ ...filters, status: JOB_STATUSES.filter((s) => next.includes(s)) });
  }

  const catalog = useComponentCatalog();
  const componentOptions = [...catalog.components];
  for (const id of filters.component) if (!componentOptions.some((c) => c.id === id)) componentOptions.push(catalog.lookup(id));

  return (
    <div className="flex flex-col gap-3">
      <div role="group" aria-label="Filter by status" className="flex flex-wrap items-center gap-1.5">
        <button
          type="button"
          aria-pressed={filters.status.length === 0}
          onClick={() => onChange({ ...filters, status: [] })}
          className={chipClass}
        >
          All statuses
        </button>
        <button
          type="button"
          aria-pressed={unfinishedOnly}
          onClick={() => onChange({ ...filters, status: unfinishedOnly ? [] : [...UNFINISHED_STATUSES] })}
          className={chipClass}
          title="Created, waiting, processing or terminating"
        >
          Unfinished
        </button>
        <span aria-hidden="true" className="mx-1 h-4 w-px bg-zinc-300 dark:bg-zinc-700" />
        {JOB_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            aria-pressed={filters.status.includes(status)}
            onClick={() => toggleStatus(status)}
            className={chipClass}
          >
            <StatusDot status={status} />
            {statusLabel(status)}
          </button>
        ))}
      </div>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <div className="flex items-center gap-2">
          <label htmlFor={componentSelectId} className="font-medium text-zinc-700 dark:text-zinc-300">
            Component
          </label>
          <select
            id={componentSelectId}
            value={filters.component.length > 1 ? "__several" : (filters.component[0] ?? "")}
            onChange={(e) => onChange({ ...filters, component: e.target.value ? [e.target.value] : [] })}
            className="rounded-md border-0 bg-white py-1.5 pl-2.5 pr-8 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700"
          >
            <option value="">All components</option>
            {filters.component.length > 1 && (
              <option value="__several" disabled>
                {filters.component.length} components
              </option>
            )}
            {componentOptions.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-2">
          <input
            id={scopeId}
            type="checkbox"
            checked={filters.scope === "all"}
            onChange={(e) => onChange({ ...filters, scope: e.target.checked ? "all" : "root" })}
            className="size-4 rounded border-zinc-300 accent-indigo-600"
          />
          <label htmlFor={scopeId} className="text-zinc-700 dark:text-zinc-300">
            Include child jobs as rows
          </label>
        </div>
        {hasActiveFilters(filters) && (
          <Button size="sm" variant="ghost" onClick={() => onChange(DEFAULT_JOBS_FILTERS)}>
            Clear filters
          </Button>
        )}
      </div>
    </div>
  );
}
