"use client";

import { useQuery } from "@tanstack/react-query";
import { diffLines } from "diff";
import { useState } from "react";
import { SaveError } from "@/components/configuration-editor";
import type { ConfigurationSectionProps } from "@/components/configuration-section";
import { formatDateTime, formatUtc } from "@/components/format";
import { Button, Card, Skeleton } from "@/components/ui";
import type { ConfigurationVersionJson } from "@/lib/schemas/configurations";
import { versionQueryOptions, versionsQueryOptions } from "@/lib/queries/configurations";
import { useConfigurationMutation } from "@/lib/queries/use-configuration-mutation";

/** What a diff compares: everything a save may change, keys in a stable order. */
function comparable(v: ConfigurationVersionJson): string {
  return JSON.stringify({ name: v.name, description: v.description, isDisabled: v.isDisabled, configuration: v.configuration, rows: v.rows }, null, 2);
}

/** Versions: who changed what and when, a diff of two, and rollback. */
export function ConfigurationVersions({ config, canManage }: ConfigurationSectionProps) {
  const versions = useQuery(versionsQueryOptions(config.componentId, config.id));
  const [compare, setCompare] = useState<number[]>([]);
  const [confirming, setConfirming] = useState<number | null>(null);
  const rollback = useConfigurationMutation(config);
  const list = versions.data ?? [];
  // Default comparison: the current version against the one before it.
  const pair = compare.length === 2 ? compare.toSorted((a, b) => a - b) : list.length >= 2 ? [list[1]!.version, list[0]!.version] : null;

  return (
    <Card className="space-y-3 p-4" aria-labelledby="versions-title">
      <h2 id="versions-title" className="font-semibold text-zinc-900 dark:text-zinc-50">
        Versions
      </h2>
      {versions.isPending ? (
        <Skeleton className="h-24 w-full" />
      ) : versions.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          Could not load the versions: {versions.error.message}
        </p>
      ) : (
        <>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Tick two versions to compare them.</p>
          {rollback.isError && <SaveError error={rollback.error} />}
          <ol aria-label="Versions, newest first" className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {list.map((v) => (
              <li key={v.version} data-version={v.version} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
                <input
                  type="checkbox"
                  aria-label={`Compare version ${v.version}`}
                  checked={compare.includes(v.version)}
                  onChange={(e) => setCompare((c) => (e.target.checked ? [...c, v.version].slice(-2) : c.filter((n) => n !== v.version)))}
                />
                <span className="font-mono font-medium tabular-nums">v{v.version}</span>
                <span className="min-w-0 flex-1 text-zinc-800 dark:text-zinc-200">
                  {v.changeDescription || <span className="italic text-zinc-500">no description</span>}
                </span>
                <span className="text-xs text-zinc-500 dark:text-zinc-400">
                  {v.creatorToken.description || "unknown"} ·{" "}
                  <time dateTime={v.created} title={formatUtc(v.created)}>
                    {formatDateTime(v.created)}
                  </time>
                </span>
                {v.version === config.version ? (
                  <span className="text-xs font-medium text-emerald-700 dark:text-emerald-400">current</span>
                ) : (
                  canManage &&
                  (confirming === v.version ? (
                    <span className="flex items-center gap-1">
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={rollback.isPending}
                        onClick={() => rollback.mutate({ method: "POST", path: `/versions/${v.version}/rollback`, body: {} }, { onSettled: () => setConfirming(null) })}
                      >
                        Roll back to v{v.version}
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                        Cancel
                      </Button>
                    </span>
                  ) : (
                    <Button size="sm" onClick={() => setConfirming(v.version)}>
                      Roll back…
                    </Button>
                  ))
                )}
              </li>
            ))}
          </ol>
          {pair && <VersionDiff componentId={config.componentId} configId={config.id} from={pair[0]!} to={pair[1]!} />}
        </>
      )}
    </Card>
  );
}

function VersionDiff({ componentId, configId, from, to }: { componentId: string; configId: string; from: number; to: number }) {
  const a = useQuery(versionQueryOptions(componentId, configId, from));
  const b = useQuery(versionQueryOptions(componentId, configId, to));
  if (a.isError || b.isError) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-300">
        Could not load the versions to compare: {(a.error ?? b.error)?.message}
      </p>
    );
  }
  if (!a.data || !b.data) return <Skeleton className="h-24 w-full" />;
  const parts = diffLines(comparable(a.data), comparable(b.data));
  const changed = parts.some((p) => p.added || p.removed);
  return (
    <figure className="space-y-1" data-testid="version-diff">
      <figcaption className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
        Changes from v{from} to v{to}
        {!changed && <span className="font-normal text-zinc-500"> — none</span>}
      </figcaption>
      <pre className="max-h-96 overflow-auto rounded-lg border border-zinc-200 bg-zinc-50 py-2 font-mono text-xs dark:border-zinc-800 dark:bg-zinc-950">
        {parts.map((part, i) => {
          const lines = part.value.replace(/\n$/, "").split("\n");
          // Long unchanged stretches are cut to their edges.
          const shown = !part.added && !part.removed && lines.length > 6 ? [...lines.slice(0, 2), "…", ...lines.slice(-2)] : lines;
          const style = part.added
            ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
            : part.removed
              ? "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200"
              : "text-zinc-600 dark:text-zinc-400";
          const sign = part.added ? "+" : part.removed ? "-" : " ";
          return shown.map((line, j) => (
            <span key={`${i}-${j}`} data-diff={part.added ? "added" : part.removed ? "removed" : "same"} className={`block whitespace-pre-wrap break-all px-3 ${style}`}>
              {sign} {line}
            </span>
          ));
        })}
      </pre>
    </figure>
  );
}
