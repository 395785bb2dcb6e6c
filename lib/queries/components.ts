import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import { componentSchema } from "@/lib/schemas/configurations";
import { apiFetch } from "@/lib/queries/api-fetch";

export const componentKeys = {
  all: ["components"] as const,
};

/** The component registry (names and types); it changes only when the server is upgraded. */
export function componentsQueryOptions() {
  return queryOptions({
    queryKey: componentKeys.all,
    queryFn: async ({ signal }) => (await apiFetch("/api/v2/storage/components", { schema: z.array(componentSchema), signal })).data,
    staleTime: 10 * 60_000,
  });
}
