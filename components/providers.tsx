"use client";

import { isServer, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { sessionKeys } from "@/lib/queries/session";

function makeQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // Any 401 means the session is gone: re-check it, and the app shell sends the user to sign in.
      onError: (error, query) => {
        if (isApiRequestError(error, 401) && query.queryKey[0] !== sessionKeys.current[0]) {
          void client.invalidateQueries({ queryKey: sessionKeys.current });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 1_000,
        // Client errors (4xx) will not fix themselves; network and server errors may.
        retry: (failureCount, error) => {
          if (isApiRequestError(error) && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
      },
    },
  });
  return client;
}

let browserQueryClient: QueryClient | undefined;

/** One QueryClient per browser; a fresh one per server render so requests never share a cache. */
function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
