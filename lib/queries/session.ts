import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import { sessionSchema } from "@/lib/schemas/session";
import { apiFetch } from "@/lib/queries/api-fetch";

export const sessionKeys = {
  current: ["session"] as const,
};

export function sessionQueryOptions() {
  return queryOptions({
    queryKey: sessionKeys.current,
    queryFn: async ({ signal }) => (await apiFetch("/api/session", { schema: sessionSchema, signal })).data,
    staleTime: 60_000,
  });
}

export type SignInCredentials = { token: string } | { demo: true };

export async function signIn(credentials: SignInCredentials) {
  return (await apiFetch("/api/session", { method: "POST", body: credentials, schema: sessionSchema })).data;
}

export async function signOut() {
  await apiFetch("/api/session", { method: "DELETE", schema: z.null() });
}
