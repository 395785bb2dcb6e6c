"use client";

import { Link } from "@/components/link";
import { useRouter } from "next/navigation";
import { createContext, Fragment, type KeyboardEvent, lazy, type MouseEvent, type ReactNode, Suspense, use, useState } from "react";
import type { ComponentInfo } from "@/components/component-catalog";
import { LabelOf } from "@/components/component-label";
import { formatCredits, formatDateTime, formatDuration, formatRelative, formatUtc, plural, processingSeconds } from "@/components/format";
import { configurationLabel } from "@/components/job-labels";
import { configurationHref } from "@/components/hrefs";
import { JobStatusBadge } from "@/components/job-status-badge";
import { Skeleton } from "@/components/ui";
import { useComponentCatalog } from "@/components/use-component-catalog";
import { useHydrated, useNow } from "@/components/use-now";
import { isKillable } from "@/lib/jobs/state";
import type { JobJson } from "@/lib/schemas/jobs";

/** A parent's children load when it is expanded, and so does their code. */
const ChildRows = lazy(async () => ({ default: (await import("@/components/job-child-rows")).ChildRows }));

const COLUMNS = ["Status", "Component", "Configuration", "Created by", "Created", "Duration", "Credits"] as const;

/** Rows that can be picked for bulk actions: only jobs that can still be terminated get a checkbox. */
export type RowSelection = {
  isSelected: (id: string) => boolean;
  toggle: (job: JobJson) => void;
  header: { checked: boolean; indeterminate: boolean; disabled: boolean; onToggle: () => void };
};
const SelectionContext = createContext<RowSelection | null>(null);
export const RowSelectionProvider = SelectionContext.Provider;

export function useColumnCount(): number {
  return COLUMNS.length + (use(SelectionContext) ? 1 : 0);
}

// On phones each row becomes a card; explicit roles keep the table semantics when display changes.
// The classes are in app/globals.css: written in every row, their utilities were most of the page.
export const rowClass = "job-row";
export const cellClass = "job-cell";
const labelled = "job-cell-labelled";

/**
 * Keys in the list, for people who read it without a mouse: ↑/↓ or j/k move between rows,
 * Enter opens, → and ← expand and collapse children, x or Space selects, Home/End jump.
 */
function onRowsKeyDown(event: KeyboardEvent<HTMLTableSectionElement>) {
  const target = event.target as HTMLElement;
  if (target.closest("input:not([type=checkbox]), select, textarea") || event.altKey || event.ctrlKey || event.metaKey) return;
  const row = target.closest<HTMLTableRowElement>("tr[data-job-id]");
  if (!row) return;
  const rows = [...event.currentTarget.querySelectorAll<HTMLTableRowElement>("tr[data-job-id]")];
  const index = rows.indexOf(row);
  const focusRow = (i: number) => rows[Math.max(0, Math.min(rows.length - 1, i))]?.focus();
  const expander = row.querySelector<HTMLButtonElement>("button[aria-expanded]");
  const onRow = target === row;
  switch (event.key) {
    case "ArrowDown":
    case "j":
      focusRow(index + 1);
      break;
    case "ArrowUp":
    case "k":
      focusRow(index - 1);
      break;
    case "Home":
      focusRow(0);
      break;
    case "End":
      focusRow(rows.length - 1);
      break;
    case "ArrowRight":
      if (expander?.getAttribute("aria-expanded") === "false") expander.click();
      break;
    case "ArrowLeft":
      if (expander?.getAttribute("aria-expanded") === "true") expander.click();
      break;
    case "Enter":
      if (!onRow) return;
      row.querySelector<HTMLAnchorElement>("a[href]")?.click();
      break;
    case "x":
    case " ":
      if (!onRow && event.key === " ") return;
      row.querySelector<HTMLInputElement>("input[type=checkbox]")?.click();
      break;
    default:
      return;
  }
  event.preventDefault();
}

export function JobsTable({ caption, children, busy }: { caption: string; children: ReactNode; busy?: boolean }) {
  const selection = use(SelectionContext);
  return (
    <div className="overflow-x-auto">
      <table role="table" aria-busy={busy || undefined} className="w-full border-collapse text-left text-sm max-md:block">
        <caption className="sr-only">{caption}</caption>
        <thead role="rowgroup" className="max-md:sr-only">
          <tr role="row" className="border-b border-zinc-200 text-xs font-medium uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
            {selection && (
              <th role="columnheader" scope="col" className="w-10 py-2.5 pl-4 pr-0">
                <input
                  type="checkbox"
                  aria-label="Select all jobs shown that can be terminated"
                  checked={selection.header.checked}
                  disabled={selection.header.disabled}
                  ref={(input) => {
                    if (input) input.indeterminate = selection.header.indeterminate;
                  }}
                  onChange={selection.header.onToggle}
                  className="size-4 rounded accent-indigo-600 disabled:opacity-40"
                />
              </th>
            )}
            {COLUMNS.map((column) => (
              <th
                key={column}
                role="columnheader"
                scope="col"
                className={`px-3 py-2.5 font-medium first:pl-4 last:pr-4 ${["Duration", "Credits"].includes(column) ? "text-right" : ""}`}
              >
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup" className="max-md:block" onKeyDown={onRowsKeyDown}>
          {children}
        </tbody>
      </table>
    </div>
  );
}

export function JobRows({ jobs, depth = 0 }: { jobs: readonly JobJson[]; depth?: number }) {
  const clock = useNow(15_000);
  // Rows may be rendered on the server; times relative to the browser's clock wait for it.
  const now = useHydrated() ? clock : null;
  const { lookup } = useComponentCatalog();
  return jobs.map((job) => <JobRowGroup key={job.id} job={job} component={lookup(job.component)} depth={depth} now={now} />);
}

function JobRowGroup({ job, component, depth, now }: { job: JobJson; component: ComponentInfo; depth: number; now: number | null }) {
  const [expanded, setExpanded] = useState(false);
  const selection = use(SelectionContext);
  const router = useRouter();
  const href = `/jobs/${job.id}`;
  const config = configurationLabel(job);
  const seconds = now === null && job.durationSeconds === null ? null : processingSeconds(job, now ?? 0);
  const isParent = job.childrenCount > 0;

  function openOnRowClick(event: MouseEvent<HTMLTableRowElement>) {
    // The link and the expander handle their own clicks; text selection is not a click.
    if ((event.target as HTMLElement).closest("a, button, input, label") || window.getSelection()?.toString()) return;
    if (event.metaKey || event.ctrlKey) window.open(href, "_blank", "noopener");
    else router.push(href);
  }

  return (
    <Fragment>
      <tr
        role="row"
        tabIndex={-1}
        data-job-id={job.id}
        data-depth={depth}
        aria-selected={selection ? selection.isSelected(job.id) : undefined}
        onClick={openOnRowClick}
        className={depth > 0 ? "job-row job-row-child job-row-link" : "job-row job-row-link"}
      >
        {selection && (
          <td role="cell" className={`${cellClass} w-10 pr-0 max-md:order-0 max-md:col-span-2`}>
            {isKillable(job.status) ? (
              <label className="inline-flex items-center gap-2 max-md:text-xs max-md:text-zinc-500">
                <input
                  type="checkbox"
                  checked={selection.isSelected(job.id)}
                  onChange={() => selection.toggle(job)}
                  className="size-4 rounded accent-indigo-600"
                  aria-label={`Select job ${job.id}`}
                />
                <span aria-hidden="true" className="md:hidden">
                  Select
                </span>
              </label>
            ) : null}
          </td>
        )}
        <td role="cell" className={`${cellClass} max-md:order-1`} style={{ paddingLeft: depth > 0 ? `${depth * 1.25 + 1}rem` : undefined }}>
          <span className="flex items-center gap-1.5">
            {isParent ? (
              <button
                type="button"
                aria-expanded={expanded}
                onClick={() => setExpanded((v) => !v)}
                className="inline-flex size-6 shrink-0 items-center justify-center rounded text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
              >
                <svg aria-hidden="true" viewBox="0 0 16 16" className={`size-3.5 transition-transform ${expanded ? "rotate-90" : ""}`} fill="currentColor">
                  <path d="M6 3.5 11 8l-5 4.5z" />
                </svg>
                <span className="sr-only">
                  {expanded ? "Hide" : "Show"} {plural(job.childrenCount, "child job")} of job {job.id}
                </span>
              </button>
            ) : (
              <span aria-hidden="true" className="inline-block size-6 shrink-0 max-md:hidden" />
            )}
            <JobStatusBadge status={job.status} />
          </span>
        </td>
        <td role="cell" className={`${cellClass} max-w-56 max-md:order-4 max-md:col-span-2`}>
          <LabelOf componentId={job.component} info={component} />
        </td>
        <td role="cell" className={`${cellClass} max-w-72 max-md:order-3 max-md:col-span-2`}>
          <Link
            href={href}
            // A page of rows would prefetch a server render per visible job; the detail loads fast anyway.
            prefetch={false}
            className={config.inline ? "job-link italic" : "job-link"}
          >
            {config.text}
          </Link>
          <span className="job-meta">
            #{job.id}
            {isParent && <span className="font-sans"> · {plural(job.childrenCount, "child", "children")}</span>}
            {job.config && job.type !== "phaseContainer" && (
              <>
                {" · "}
                <Link href={configurationHref(job.component, job.config)} prefetch={false} className="job-meta-link">
                  configuration
                </Link>
              </>
            )}
          </span>
        </td>
        <td role="cell" data-label="By " className={`${cellClass} ${labelled} job-cell-text max-w-48 truncate max-md:order-5 max-md:col-span-2 max-md:text-xs`}>
          {job.token.description}
        </td>
        <td role="cell" className={`${cellClass} job-cell-text whitespace-nowrap max-md:order-2 max-md:text-right max-md:text-xs`}>
          <time dateTime={job.createdTime} title={now === null ? formatUtc(job.createdTime) : `${formatDateTime(job.createdTime)} local · ${formatUtc(job.createdTime)}`}>
            {now === null ? formatUtc(job.createdTime).slice(0, 16) : formatRelative(job.createdTime, now)}
          </time>
        </td>
        <td role="cell" data-label="Duration " className={`${cellClass} ${labelled} job-cell-number max-md:order-6 max-md:text-left max-md:text-xs`}>
          {formatDuration(seconds)}
        </td>
        <td
          role="cell"
          data-label="Credits "
          title={isParent ? `${formatCredits(job.credits)} for this job, ${formatCredits(job.subtree.credits)} with its ${plural(job.subtree.jobs - 1, "descendant")}` : undefined}
          className={`${cellClass} ${labelled} job-cell-number max-md:order-7 max-md:text-xs`}
        >
          {formatCredits(isParent ? job.subtree.credits : job.credits)}
          {isParent && <span className="sr-only"> including child jobs</span>}
        </td>
      </tr>
      {expanded && (
        <Suspense fallback={<ChildRowsLoading parentId={job.id} depth={depth + 1} />}>
          <ChildRows parentRunId={job.runId} parentId={job.id} depth={depth + 1} />
        </Suspense>
      )}
    </Fragment>
  );
}

/** A parent's child rows while they load (their code, then their first page). */
export function ChildRowsLoading({ parentId, depth }: { parentId: string; depth: number }) {
  const columnCount = useColumnCount();
  return (
    <tr role="row" className={rowClass}>
      <td role="cell" colSpan={columnCount} className={`${cellClass} max-md:col-span-2`} style={childIndent(depth)}>
        <span className="sr-only" role="status">
          Loading child jobs of job {parentId}
        </span>
        <Skeleton className="h-5 w-2/3" />
      </td>
    </tr>
  );
}

export const childIndent = (depth: number) => ({ paddingLeft: `${depth * 1.25 + 1}rem` });

export function JobRowsSkeleton({ rows = 8 }: { rows?: number }) {
  const withSelection = useColumnCount() > COLUMNS.length;
  return Array.from({ length: rows }, (_, i) => (
    <tr key={i} role="row" className={rowClass} aria-hidden="true">
      {withSelection && <td role="cell" className={`${cellClass} w-10 max-md:hidden`} />}
      {COLUMNS.map((column) => (
        <td key={column} role="cell" className={`${cellClass} max-md:col-span-2`}>
          <Skeleton className={column === "Configuration" ? "h-4 w-40" : "h-4 w-20"} />
        </td>
      ))}
    </tr>
  ));
}
