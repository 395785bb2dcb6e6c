"use client";

import type { ComponentKind } from "@/components/component-catalog";
import { useComponentInfo } from "@/components/use-component-catalog";

const KIND_STYLE: Record<ComponentKind, { letter: string; className: string }> = {
  extractor: { letter: "E", className: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300" },
  writer: { letter: "W", className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" },
  transformation: { letter: "T", className: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300" },
  orchestrator: { letter: "O", className: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300" },
  application: { letter: "A", className: "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" },
};

export function ComponentIcon({ componentId, size = "sm" }: { componentId: string; size?: "sm" | "lg" }) {
  const { kind } = useComponentInfo(componentId);
  const style = KIND_STYLE[kind];
  const dimensions = size === "lg" ? "size-10 text-base rounded-lg" : "size-6 text-xs rounded-md";
  return (
    <span
      aria-hidden="true"
      title={kind}
      className={`inline-flex shrink-0 items-center justify-center font-semibold ${dimensions} ${style.className}`}
    >
      {style.letter}
    </span>
  );
}

/** Icon, name and (as a tooltip) the component id; `kind` is spelled out for screen readers. */
export function ComponentLabel({ componentId, showId = false }: { componentId: string; showId?: boolean }) {
  const info = useComponentInfo(componentId);
  return (
    <span className="inline-flex min-w-0 items-center gap-2" title={componentId}>
      <ComponentIcon componentId={componentId} />
      <span className="min-w-0">
        <span className="block truncate">{info.name}</span>
        <span className="sr-only"> ({info.kind})</span>
        {showId && <span className="block truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">{componentId}</span>}
      </span>
    </span>
  );
}
