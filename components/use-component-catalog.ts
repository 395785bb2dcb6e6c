"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { type ComponentInfo, guessComponentInfo, toComponentKind } from "@/components/component-catalog";
import { componentsQueryOptions } from "@/lib/queries/components";

/** All known components, and a lookup that always answers (guessing for unknown ids). */
export function useComponentCatalog(): { components: ComponentInfo[]; lookup: (id: string) => ComponentInfo } {
  const { data } = useQuery(componentsQueryOptions());
  const components = useMemo(
    () => (data ?? []).map((c): ComponentInfo => ({ id: c.id, name: c.name, kind: toComponentKind(c.type) })),
    [data],
  );
  const byId = useMemo(() => new Map(components.map((c) => [c.id, c])), [components]);
  const lookup = useCallback((id: string) => byId.get(id) ?? guessComponentInfo(id), [byId]);
  return { components, lookup };
}

export function useComponentInfo(id: string): ComponentInfo {
  return useComponentCatalog().lookup(id);
}
