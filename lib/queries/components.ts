import { queryOptions } from "@tanstack/react-query";
import type { ProcessComponentJson } from "@/lib/schemas/components";
import type { ComponentWithConfigurationsJson, ConfigurationJson } from "@/lib/schemas/configurations";
import { apiFetch } from "@/lib/queries/api-fetch";

export const componentKeys = {
  all: ["components"] as const,
  catalog: () => [...componentKeys.all, "catalog"] as const,
};

/** A component as the dashboard asks for it: with its configurations, their rows and state. */
export type FullComponentJson = Omit<ComponentWithConfigurationsJson, "configurations"> & { configurations?: ConfigurationJson[] };

/** What the dashboard's components query includes; the server prefetch asks for the same (prefetch.ts). */
export const componentsInclude = ["configuration", "rows", "state"] as const;

/** The component registry (names and types); it changes only when the server is upgraded. */
export function componentsQueryOptions() {
  return queryOptions({
    queryKey: componentKeys.all,
    // The dashboard reads whole configurations (rows for counts and pickers), so it asks for everything.
    queryFn: async ({ signal }) =>
      (await apiFetch<FullComponentJson[]>("/api/v2/storage/components", { params: { include: componentsInclude.join(",") }, signal })).data,
    staleTime: 10 * 60_000,
  });
}

/** The components the project can use, built-in and added (process components) with their versions. */
export function componentCatalogQueryOptions() {
  return queryOptions({
    queryKey: componentKeys.catalog(),
    queryFn: async ({ signal }) => (await apiFetch<ProcessComponentJson[]>("/api/components", { signal })).data,
    // A new version is added through the API or the CLI; a minute is fresh enough for a catalog.
    staleTime: 60_000,
  });
}
