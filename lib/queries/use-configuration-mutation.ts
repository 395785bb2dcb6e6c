"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { componentKeys } from "@/lib/queries/components";
import { apiFetch } from "@/lib/queries/api-fetch";
import { configPath, configurationKeys } from "@/lib/queries/configurations";
import type { ConfigurationJson } from "@/lib/schemas/configurations";

export type ConfigurationChange = { method: "PUT" | "POST" | "DELETE"; path?: string; body?: Record<string, unknown> };

/**
 * One change to a configuration (save, row edit, reorder, rollback): sent with the version the
 * page shows, so that a save over someone else's newer one is refused (409) instead of lost.
 * The answer is the configuration as saved; its versions and the catalog are refreshed.
 */
export function useConfigurationMutation(config: Pick<ConfigurationJson, "componentId" | "id" | "version">) {
  const queryClient = useQueryClient();
  const base = configPath(config.componentId, config.id);
  return useMutation({
    mutationFn: async (change: ConfigurationChange) =>
      (await apiFetch<ConfigurationJson>(`${base}${change.path ?? ""}`, { method: change.method, body: { ...change.body, version: config.version } })).data,
    onSuccess: (saved) => {
      queryClient.setQueryData(configurationKeys.detail(saved.componentId, saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: configurationKeys.versions(saved.componentId, saved.id) });
      void queryClient.invalidateQueries({ queryKey: componentKeys.all });
    },
    // Refused (someone saved first, a row went away): show what is stored now.
    onError: () => void queryClient.invalidateQueries({ queryKey: configurationKeys.detail(config.componentId, config.id) }),
  });
}
