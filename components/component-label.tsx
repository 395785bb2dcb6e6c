"use client";

import type { ComponentInfo, ComponentKind } from "@/components/component-catalog";
import { useComponentInfo } from "@/components/use-component-catalog";

const KIND_LETTER: Record<ComponentKind, string> = { extractor: "E", writer: "W", transformation: "T", orchestrator: "O", application: "A" };

export function ComponentIcon({ componentId, size = "sm" }: { componentId: string; size?: "sm" | "lg" }) {
  return <KindIcon kind={useComponentInfo(componentId).kind} size={size} />;
}

/** Its colours are `.kind-icon[data-kind]` in app/globals.css. */
function KindIcon({ kind, size }: { kind: ComponentKind; size: "sm" | "lg" }) {
  return (
    <span aria-hidden="true" title={kind} data-kind={kind} className={`kind-icon kind-icon-${size}`}>
      {KIND_LETTER[kind]}
    </span>
  );
}

/** Icon, name and (as a tooltip) the component id, looked up in the catalog. */
export function ComponentLabel({ componentId, showId = false }: { componentId: string; showId?: boolean }) {
  return <LabelOf componentId={componentId} info={useComponentInfo(componentId)} showId={showId} />;
}

/**
 * The same from `info` the caller holds: a list looks the catalog up once for all its rows instead
 * of a query hook per row. `kind` is spelled out for screen readers.
 */
export function LabelOf({ componentId, info, showId = false }: { componentId: string; info: ComponentInfo; showId?: boolean }) {
  return (
    <span className="inline-flex min-w-0 items-center gap-2" title={componentId}>
      <KindIcon kind={info.kind} size="sm" />
      <span className="min-w-0">
        <span className="block truncate">{info.name}</span>
        <span className="sr-only"> ({info.kind})</span>
        {showId && <span className="block truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">{componentId}</span>}
      </span>
    </span>
  );
}
