"use client";

import { useQuery } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { formatDateTime, formatDuration, formatUtc } from "@/components/format";
import { StatusDot, statusLabel } from "@/components/job-status-badge";
import { Button } from "@/components/ui";
import { useComponentCatalog } from "@/components/use-component-catalog";
import { useHydrated } from "@/components/use-now";
import { JOB_STATUSES, type JobStatus } from "@/lib/jobs/state";
import { groupOfStatuses, STATUS_GROUP_MEMBERS, STATUS_GROUPS, type StatusGroup } from "@/lib/jobs/status-groups";
import { CREATED_PRESETS, type CreatedPreset, DEFAULT_JOBS_FILTERS, hasActiveFilters, type JobsFilters } from "@/lib/schemas/filters";
import type { JobCountsJson } from "@/lib/schemas/job-counts";
import { componentsQueryOptions } from "@/lib/queries/components";
import { sessionQueryOptions } from "@/lib/queries/session";

type Change = (next: JobsFilters) => void;

const TAB_LABELS: Record<StatusGroup, { label: string; hint: string }> = {
  all: { label: "All", hint: "Every status" },
  running: { label: "Running", hint: "Processing or terminating" },
  waiting: { label: "Waiting", hint: "Queued for a worker or held back by the project" },
  failed: { label: "Failed", hint: "Ended with an error" },
};

/** All / Running / Waiting / Failed with how many jobs each holds under the other filters. */
export function JobStatusTabs({ filters, counts, onChange }: { filters: JobsFilters; counts: JobCountsJson | undefined; onChange: Change }) {
  const current = filters.notStatus.length === 0 ? groupOfStatuses(filters.status) : null;
  return (
    <div role="group" aria-label="Jobs by status" className="flex overflow-x-auto sm:gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {STATUS_GROUPS.map((group) => {
        const count = counts?.groups[group];
        return (
          <button
            key={group}
            type="button"
            aria-pressed={current === group}
            title={TAB_LABELS[group].hint}
            onClick={() => onChange({ ...filters, status: group === "all" ? [] : [...STATUS_GROUP_MEMBERS[group]], notStatus: [] })}
            className="status-tab"
          >
            {TAB_LABELS[group].label}
            <span
              data-testid={`count-${group}`}
              className={`status-tab-count ${
                group === "failed" && count ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" : "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
              }`}
            >
              {count === undefined ? <span className="inline-block w-3 animate-pulse">·</span> : count.toLocaleString("en")}
              <span className="sr-only">{count === 1 ? " job" : " jobs"}</span>
            </span>
          </button>
        );
      })}
    </div>
  );
}

const DURATION_PRESETS: { id: string; label: string; min: number | null; max: number | null }[] = [
  { id: "", label: "Any duration", min: null, max: null },
  { id: "lt1m", label: "Under 1 minute", min: null, max: 59 },
  { id: "gt1m", label: "Over 1 minute", min: 60, max: null },
  { id: "gt5m", label: "Over 5 minutes", min: 300, max: null },
  { id: "gt30m", label: "Over 30 minutes", min: 1800, max: null },
  { id: "gt1h", label: "Over 1 hour", min: 3600, max: null },
];

function durationLabel(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `${formatDuration(min)} – ${formatDuration(max)}`;
  if (min !== null) return `at least ${formatDuration(min)}`;
  return `at most ${formatDuration(max)}`;
}

/** `datetime-local` values are local time; the URL keeps the instant in UTC. */
const toLocalInput = (iso: string | null) => (iso ? formatDateTime(new Date(iso).toISOString()).replace(" ", "T").slice(0, 16) : "");
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null);

export function JobsFiltersBar({ filters, onChange, creators }: { filters: JobsFilters; onChange: Change; creators: readonly string[] }) {
  const [panelOpen, setPanelOpen] = useState(false);
  const hydrated = useHydrated();
  const ids = { panel: useId(), component: useId(), config: useId(), created: useId(), duration: useId(), creator: useId(), creators: useId(), lookup: useId(), lookupError: useId(), scope: useId(), from: useId(), to: useId() };
  const catalog = useComponentCatalog();
  const components = useQuery(componentsQueryOptions());
  const session = useQuery(sessionQueryOptions());
  const lookupRef = useRef<HTMLInputElement>(null);
  const [lookup, setLookup] = useState("");
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [creator, setCreator] = useState("");
  const [customRange, setCustomRange] = useState(false);

  // "/" jumps to the lookup from anywhere on the page, as in most consoles.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (event.key !== "/" || event.metaKey || event.ctrlKey || target.closest("input, textarea, select, [contenteditable=true]")) return;
      event.preventDefault();
      lookupRef.current?.focus();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const configurations =
    filters.component.length === 1 ? (components.data?.find((c) => c.id === filters.component[0])?.configurations ?? []) : [];
  const duration = DURATION_PRESETS.find((p) => p.min === filters.minDuration && p.max === filters.maxDuration);
  const createdValue = filters.created ?? (customRange || filters.createdFrom || filters.createdTo ? "custom" : "");

  function submitLookup(event: FormEvent) {
    event.preventDefault();
    const value = lookup.trim().replace(/^#/, "");
    if (/^\d{1,18}$/.test(value)) onChange({ ...filters, id: [value] });
    else if (/^\d{1,18}(\.\d{1,18})+$/.test(value)) onChange({ ...filters, runId: [value] });
    else {
      setLookupError("Type a job id such as 1234 or a run id such as 1234.1240.");
      return;
    }
    setLookup("");
    setLookupError(null);
  }

  function submitCreator(event: FormEvent) {
    event.preventDefault();
    const value = creator.trim();
    if (!value) return;
    onChange({ ...filters, creator: [...new Set([...filters.creator, value])] });
    setCreator("");
  }

  function changeCreated(value: string) {
    if (value === "custom") {
      setCustomRange(true);
      return;
    }
    setCustomRange(false);
    onChange({ ...filters, created: (value || null) as CreatedPreset | null, createdFrom: null, createdTo: null });
  }

  const me = session.data?.token.description;
  const quickViews: { label: string; filters: JobsFilters }[] = [
    ...(me ? [{ label: "My jobs", filters: { ...DEFAULT_JOBS_FILTERS, limit: filters.limit, creator: [me] } }] : []),
    { label: "Failed in the last 7 days", filters: { ...DEFAULT_JOBS_FILTERS, limit: filters.limit, status: ["error"], created: "7d" } },
    { label: "Everything but success", filters: { ...DEFAULT_JOBS_FILTERS, limit: filters.limit, notStatus: ["success"] } },
    { label: "Long running (over 1 hour)", filters: { ...DEFAULT_JOBS_FILTERS, limit: filters.limit, minDuration: 3600 } },
  ];

  const activeCount = activeChips(filters, (id) => id).length;

  return (
    <div className="flex flex-col gap-4">
      <button
        type="button"
        aria-expanded={panelOpen}
        aria-controls={ids.panel}
        onClick={() => setPanelOpen((v) => !v)}
        className="flex items-center justify-between gap-2 text-sm font-medium text-zinc-800 md:hidden dark:text-zinc-200"
      >
        <span>
          Filters
          {activeCount > 0 && <span className="ml-2 rounded-full bg-indigo-600 px-1.5 py-0.5 text-xs text-white">{activeCount}</span>}
        </span>
        <svg aria-hidden="true" viewBox="0 0 16 16" className={`size-4 transition-transform ${panelOpen ? "rotate-180" : ""}`} fill="none" stroke="currentColor" strokeWidth="2">
          <path d="m4 6 4 4 4-4" />
        </svg>
      </button>
      <div id={ids.panel} className={`flex flex-col gap-4 ${panelOpen ? "" : "max-md:hidden"}`}>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6">
          <form onSubmit={submitLookup} className="flex flex-col gap-1" role="search" aria-label="Find a job">
            <label htmlFor={ids.lookup} className="filter-label">
              Job or run id <kbd className="ml-1 rounded border max-md:hidden border-zinc-300 px-1 font-sans text-[10px] text-zinc-500 dark:border-zinc-700">/</kbd>
            </label>
            <div className="flex gap-1.5">
              <input
                ref={lookupRef}
                id={ids.lookup}
                inputMode="decimal"
                autoComplete="off"
                value={lookup}
                onChange={(e) => {
                  setLookup(e.target.value);
                  setLookupError(null);
                }}
                placeholder="1234 or 1234.1240"
                aria-invalid={lookupError ? true : undefined}
                aria-describedby={lookupError ? ids.lookupError : undefined}
                className="filter-control min-w-0 flex-1 pr-2.5 font-mono placeholder:font-sans placeholder:text-zinc-400 aria-invalid:ring-red-500"
              />
              <Button type="submit" size="sm">
                Find
              </Button>
            </div>
            {lookupError && (
              <p id={ids.lookupError} role="alert" className="text-xs text-red-700 dark:text-red-300">
                {lookupError}
              </p>
            )}
          </form>

          <FilterField id={ids.component} label="Component">
            <ManyValuesSelect
              id={ids.component}
              values={filters.component}
              options={catalog.components}
              nameOf={(id) => catalog.lookup(id).name}
              allLabel="All components"
              several="components"
              onPick={(component) => onChange({ ...filters, component, config: [] })}
            />
          </FilterField>

          <FilterField id={ids.config} label="Configuration">
            <ManyValuesSelect
              id={ids.config}
              values={filters.config}
              options={configurations}
              nameOf={(id) => `Configuration ${id}`}
              allLabel="All configurations"
              several="configurations"
              onPick={(config) => onChange({ ...filters, config })}
              disabled={filters.component.length !== 1 && filters.config.length === 0}
              title={filters.component.length !== 1 ? "Choose a component first" : undefined}
            />
          </FilterField>

          <FilterField id={ids.created} label="Created">
            <select id={ids.created} value={createdValue} onChange={(e) => changeCreated(e.target.value)} className="filter-control pr-8">
              <option value="">Any time</option>
              {(Object.keys(CREATED_PRESETS) as CreatedPreset[]).map((preset) => (
                <option key={preset} value={preset}>
                  {CREATED_PRESETS[preset].label}
                </option>
              ))}
              <option value="custom">Custom range…</option>
            </select>
          </FilterField>

          <FilterField id={ids.duration} label="Duration">
            <select
              id={ids.duration}
              value={duration?.id ?? "__custom"}
              onChange={(e) => {
                const preset = DURATION_PRESETS.find((p) => p.id === e.target.value)!;
                onChange({ ...filters, minDuration: preset.min, maxDuration: preset.max });
              }}
              className="filter-control pr-8"
            >
              {!duration && (
                <option value="__custom" disabled>
                  {durationLabel(filters.minDuration, filters.maxDuration)}
                </option>
              )}
              {DURATION_PRESETS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </FilterField>

          <form onSubmit={submitCreator} className="flex flex-col gap-1">
            <label htmlFor={ids.creator} className="filter-label">
              Created by
            </label>
            <div className="flex gap-1.5">
              <input
                id={ids.creator}
                list={ids.creators}
                autoComplete="off"
                value={creator}
                onChange={(e) => setCreator(e.target.value)}
                placeholder="Token description"
                className="filter-control min-w-0 flex-1 pr-2.5 placeholder:text-zinc-400"
              />
              <datalist id={ids.creators}>
                {creators.map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
              <Button type="submit" size="sm" disabled={creator.trim() === ""}>
                Add
              </Button>
            </div>
          </form>
        </div>

        {createdValue === "custom" && hydrated && (
          <fieldset className="flex flex-wrap items-end gap-3">
            <legend className="filter-label mb-1">Created between (your time zone)</legend>
            <FilterField id={ids.from} label="From">
              <input
                id={ids.from}
                type="datetime-local"
                value={toLocalInput(filters.createdFrom)}
                onChange={(e) => onChange({ ...filters, created: null, createdFrom: fromLocalInput(e.target.value) })}
                className="filter-control pr-2.5"
              />
            </FilterField>
            <FilterField id={ids.to} label="To">
              <input
                id={ids.to}
                type="datetime-local"
                value={toLocalInput(filters.createdTo)}
                onChange={(e) => onChange({ ...filters, created: null, createdTo: fromLocalInput(e.target.value) })}
                className="filter-control pr-2.5"
              />
            </FilterField>
          </fieldset>
        )}

        <StatusChips filters={filters} onChange={onChange} />

        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
          <div className="flex items-center gap-2">
            <input
              id={ids.scope}
              type="checkbox"
              checked={filters.scope === "all"}
              onChange={(e) => onChange({ ...filters, scope: e.target.checked ? "all" : "root" })}
              className="size-4 rounded border-zinc-300 accent-indigo-600"
            />
            <label htmlFor={ids.scope} className="text-zinc-700 dark:text-zinc-300">
              Include child jobs as rows
            </label>
          </div>
          <nav aria-label="Saved views" className="flex flex-wrap items-center gap-x-3 gap-y-1 text-zinc-500 dark:text-zinc-400">
            <span className="text-xs font-medium">Quick views:</span>
            {quickViews.map((view) => (
              <button
                key={view.label}
                type="button"
                onClick={() => onChange(view.filters)}
                className="rounded text-xs font-medium text-indigo-700 hover:underline dark:text-indigo-300"
              >
                {view.label}
              </button>
            ))}
          </nav>
        </div>
      </div>

      <ActiveFilterChips filters={filters} onChange={onChange} />
    </div>
  );
}

function FilterField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="filter-label">
        {label}
      </label>
      {children}
    </div>
  );
}

/**
 * A select for a filter the URL may hold several values of (`component=a&component=b`): it shows
 * one, or "N components", and picking an option replaces them. Values it has no option for still show.
 */
function ManyValuesSelect(props: {
  id: string;
  values: readonly string[];
  options: readonly { id: string; name: string }[];
  nameOf: (id: string) => string;
  allLabel: string;
  several: string;
  onPick: (values: string[]) => void;
  disabled?: boolean;
  title?: string;
}) {
  const unknown = props.values.filter((v) => !props.options.some((o) => o.id === v)).map((id) => ({ id, name: props.nameOf(id) }));
  return (
    <select
      id={props.id}
      value={props.values.length > 1 ? "__several" : (props.values[0] ?? "")}
      onChange={(e) => props.onPick(e.target.value ? [e.target.value] : [])}
      disabled={props.disabled}
      title={props.title}
      className="filter-control pr-8 disabled:opacity-60"
    >
      <option value="">{props.allLabel}</option>
      {props.values.length > 1 && (
        <option value="__several" disabled>
          {props.values.length} {props.several}
        </option>
      )}
      {[...unknown, ...props.options].map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

/** Status chips; "Only" picks the statuses to show, "Except" the ones to hide ("not success"). */
function StatusChips({ filters, onChange }: { filters: JobsFilters; onChange: Change }) {
  // The URL decides when it has statuses; with none, the last mode the person picked.
  const [preferred, setPreferred] = useState<"only" | "except">("only");
  const mode = filters.notStatus.length > 0 ? "except" : filters.status.length > 0 ? "only" : preferred;
  const chosen = mode === "only" ? filters.status : filters.notStatus;

  function setChosen(next: JobStatus[]) {
    const ordered = JOB_STATUSES.filter((s) => next.includes(s));
    onChange(mode === "only" ? { ...filters, status: ordered, notStatus: [] } : { ...filters, status: [], notStatus: ordered });
  }

  function switchMode(next: "only" | "except") {
    if (next === mode) return;
    setPreferred(next);
    // The chosen statuses change meaning: "only error" becomes "all but error".
    const ordered = JOB_STATUSES.filter((s) => chosen.includes(s));
    onChange(next === "only" ? { ...filters, status: ordered, notStatus: [] } : { ...filters, status: [], notStatus: ordered });
  }

  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <div role="group" aria-label="Status filter mode" className="mr-1 inline-flex rounded-md p-0.5 ring-1 ring-inset ring-zinc-300 dark:ring-zinc-700">
        {(["only", "except"] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            onClick={() => switchMode(m)}
            className="rounded px-2 py-0.5 text-xs font-medium text-zinc-600 aria-pressed:bg-zinc-900 aria-pressed:text-white dark:text-zinc-300 dark:aria-pressed:bg-zinc-100 dark:aria-pressed:text-zinc-900"
          >
            {m === "only" ? "Only" : "Except"}
          </button>
        ))}
      </div>
      <div role="group" aria-label={mode === "only" ? "Show only these statuses" : "Hide these statuses"} className="flex flex-wrap gap-1.5">
        {JOB_STATUSES.map((status) => {
          const pressed = chosen.includes(status);
          return (
            <button
              key={status}
              type="button"
              aria-pressed={pressed}
              onClick={() => setChosen(pressed ? chosen.filter((s) => s !== status) : [...chosen, status])}
              className={`status-chip ${mode === "except" ? "aria-pressed:bg-zinc-700 aria-pressed:ring-zinc-700 aria-pressed:line-through dark:aria-pressed:bg-zinc-600 dark:aria-pressed:ring-zinc-600" : ""}`}
            >
              <StatusDot status={status} />
              {statusLabel(status)}
            </button>
          );
        })}
      </div>
    </div>
  );
}

type ActiveChip = { key: string; label: string; remove: () => JobsFilters };

/** A moment as people read it: local time in the browser, UTC until the page runs there. */
const shortTime = (iso: string, local: boolean) => (local ? formatDateTime(iso).slice(0, 16) : formatUtc(iso).slice(0, 16) + " UTC");

function activeChips(filters: JobsFilters, componentName: (id: string) => string, local = true): ActiveChip[] {
  const chips: ActiveChip[] = [];
  const eachOf = (key: "status" | "notStatus" | "component" | "config" | "creator" | "id" | "runId" | "parent", label: (v: string) => string) => {
    for (const value of filters[key] as string[]) {
      chips.push({ key: `${key}:${value}`, label: label(value), remove: () => ({ ...filters, [key]: (filters[key] as string[]).filter((v) => v !== value) }) });
    }
  };
  eachOf("status", (s) => `Status is ${statusLabel(s as JobStatus)}`);
  eachOf("notStatus", (s) => `Status is not ${statusLabel(s as JobStatus)}`);
  eachOf("component", (c) => `Component: ${componentName(c)}`);
  eachOf("config", (c) => `Configuration ${c}`);
  if (filters.created) chips.push({ key: "created", label: `Created: ${CREATED_PRESETS[filters.created].label.toLowerCase()}`, remove: () => ({ ...filters, created: null }) });
  if (filters.createdFrom) chips.push({ key: "createdFrom", label: `Created after ${shortTime(filters.createdFrom, local)}`, remove: () => ({ ...filters, createdFrom: null }) });
  if (filters.createdTo) chips.push({ key: "createdTo", label: `Created before ${shortTime(filters.createdTo, local)}`, remove: () => ({ ...filters, createdTo: null }) });
  if (filters.minDuration !== null || filters.maxDuration !== null) {
    chips.push({ key: "duration", label: `Duration ${durationLabel(filters.minDuration, filters.maxDuration)}`, remove: () => ({ ...filters, minDuration: null, maxDuration: null }) });
  }
  eachOf("creator", (c) => `Created by ${c}`);
  eachOf("id", (id) => `Job ${id}`);
  eachOf("runId", (r) => `Run ${r}`);
  eachOf("parent", (r) => `Children of ${r}`);
  if (filters.scope === "all") chips.push({ key: "scope", label: "Child jobs as rows", remove: () => ({ ...filters, scope: "root" }) });
  return chips;
}

/** What the list is filtered by, in words, each removable: the URL made readable. */
function ActiveFilterChips({ filters, onChange }: { filters: JobsFilters; onChange: Change }) {
  const { lookup } = useComponentCatalog();
  const chips = activeChips(filters, (id) => lookup(id).name, useHydrated());
  if (!hasActiveFilters(filters)) return null;
  return (
    <div className="flex flex-wrap items-center gap-1.5 border-t border-zinc-100 pt-3 dark:border-zinc-800">
      <span className="mr-1 text-xs font-medium text-zinc-500 dark:text-zinc-400">Filtered by</span>
      <ul aria-label="Active filters" className="contents">
        {chips.map((chip) => (
          <li key={chip.key}>
            <button
              type="button"
              onClick={() => onChange(chip.remove())}
              aria-label={`Remove filter: ${chip.label}`}
              className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2.5 pr-1.5 text-xs font-medium text-indigo-800 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-100 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-800 dark:hover:bg-indigo-900"
            >
              {chip.label}
              <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="2">
                <path d="m4.5 4.5 7 7m0-7-7 7" />
              </svg>
            </button>
          </li>
        ))}
      </ul>
      <Button size="sm" variant="ghost" onClick={() => onChange({ ...DEFAULT_JOBS_FILTERS, limit: filters.limit })}>
        Clear filters
      </Button>
    </div>
  );
}
