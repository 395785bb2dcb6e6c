import { queryOptions } from "@tanstack/react-query";
import type { SessionJson } from "@/lib/schemas/session";
import { apiFetch } from "@/lib/queries/api-fetch";

export const sessionKeys = {
  current: ["session"] as const,
};

export function sessionQueryOptions() {
  return queryOptions({
    queryKey: sessionKeys.current,
    queryFn: async ({ signal }) => (await apiFetch<SessionJson>("/api/session", { signal })).data,
    staleTime: 60_000,
  });
}

export type SignInCredentials = { token: string } | { demo: true };

export async function signIn(credentials: SignInCredentials) {
  return (await apiFetch<SessionJson>("/api/session", { method: "POST", body: credentials })).data;
}

export async function signOut() {
  await apiFetch<null>("/api/session", { method: "DELETE" });
}
