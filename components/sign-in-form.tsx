"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useState } from "react";
import { Logo } from "@/components/logo";
import { Button, Spinner } from "@/components/ui";
import { type SignInCredentials, sessionKeys, sessionQueryOptions, signIn } from "@/lib/queries/session";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [token, setToken] = useState("");
  const [lastAttempt, setLastAttempt] = useState<"token" | "demo" | null>(null);
  const tokenId = useId();
  const errorId = useId();

  // Someone already signed in has nothing to do here.
  const session = useQuery({ ...sessionQueryOptions(), retry: false });
  useEffect(() => {
    if (session.data) router.replace(next);
  }, [session.data, router, next]);

  const mutation = useMutation({
    mutationFn: (credentials: SignInCredentials) => signIn(credentials),
    onSuccess: (data) => {
      queryClient.clear();
      queryClient.setQueryData(sessionKeys.current, data);
      router.replace(next);
    },
  });

  function submitToken(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setLastAttempt("token");
    mutation.mutate({ token: token.trim() });
  }

  function signInToDemo() {
    setLastAttempt("demo");
    mutation.mutate({ demo: true });
  }

  const tokenError = lastAttempt === "token" ? mutation.error : null;
  const demoError = lastAttempt === "demo" ? mutation.error : null;
  const busy = mutation.isPending || mutation.isSuccess;

  return (
    <div className="w-full max-w-md">
      <div className="mb-8 flex justify-center text-2xl text-zinc-900 dark:text-zinc-50">
        <Logo />
      </div>
      <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900 sm:p-8">
        <h1 className="text-xl font-semibold text-zinc-900 dark:text-zinc-50">Sign in</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Watch, inspect and terminate your project&apos;s jobs.</p>

        <form onSubmit={submitToken} className="mt-6 space-y-3" noValidate>
          <label htmlFor={tokenId} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Storage API token
          </label>
          <input
            id={tokenId}
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={tokenError ? true : undefined}
            aria-describedby={tokenError ? errorId : undefined}
            placeholder="Paste your token"
            className="block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 placeholder:font-sans placeholder:text-zinc-400 aria-invalid:ring-red-500 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-700"
          />
          {tokenError && (
            <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-300">
              {tokenError.message}
            </p>
          )}
          <Button type="submit" variant="primary" className="w-full" disabled={busy || token.trim() === ""}>
            {busy && lastAttempt === "token" && <Spinner />}
            Sign in with token
          </Button>
        </form>

        <div className="my-6 flex items-center gap-3 text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400" aria-hidden="true">
          <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          or
          <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        </div>

        <Button className="w-full" onClick={signInToDemo} disabled={busy}>
          {busy && lastAttempt === "demo" && <Spinner />}
          Use the demo project
        </Button>
        {demoError && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-300">
            {demoError.message}
          </p>
        )}
      </div>
    </div>
  );
}
