"use client";

import { useQuery } from "@tanstack/react-query";
import { type ComponentInfo, guessComponentInfo, toComponentKind } from "@/components/component-catalog";
import { componentsQueryOptions, type FullComponentJson } from "@/lib/queries/components";

type Catalog = { components: ComponentInfo[]; lookup: (id: string) => ComponentInfo };

function catalogOf(data: readonly FullComponentJson[]): Catalog {
  const components = data.map((c): ComponentInfo => ({ id: c.id, name: c.name, kind: toComponentKind(c.type) }));
  const byId = new Map(components.map((c) => [c.id, c]));
  return { components, lookup: (id) => byId.get(id) ?? guessComponentInfo(id) };
}

// One catalog per answer of the components query, not one per label that reads it: a page of
// jobs shows 50 labels, and each built its own list and map of every component.
const catalogs = new WeakMap<readonly FullComponentJson[], Catalog>();
const EMPTY = catalogOf([]);

/** All known components, and a lookup that always answers (guessing for unknown ids). */
export function useComponentCatalog(): Catalog {
  const { data } = useQuery(componentsQueryOptions());
  if (!data) return EMPTY;
  let catalog = catalogs.get(data);
  if (!catalog) {
    catalog = catalogOf(data);
    catalogs.set(data, catalog);
  }
  return catalog;
}

export function useComponentInfo(id: string): ComponentInfo {
  return useComponentCatalog().lookup(id);
}
