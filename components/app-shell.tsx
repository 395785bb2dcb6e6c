"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@/components/link";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect, useRef } from "react";
import { Logo } from "@/components/logo";
import { Button, ErrorState, Skeleton, Spinner } from "@/components/ui";
import { isApiRequestError } from "@/lib/queries/api-fetch";
import { componentsQueryOptions } from "@/lib/queries/components";
import { sessionQueryOptions, signOut } from "@/lib/queries/session";

function signInUrl(pathname: string): string {
  const next = `${pathname}${window.location.search}`;
  return next === "/jobs" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
}

/** The signed-in frame: header with project and token, and nothing underneath until the session is known. */
const NAV = [
  { href: "/jobs", label: "Jobs" },
  { href: "/storage", label: "Storage" },
  { href: "/components", label: "Components" },
  { href: "/notifications", label: "Notifications" },
  { href: "/schedules", label: "Schedules" },
  { href: "/api-docs", label: "API" },
];

export function AppShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQueryOptions());
  const signedOut = isApiRequestError(session.error, 401);
  // Component names label every row; fetch them alongside the first page of jobs, not after it.
  // In an effect, not a query of the shell's own: one created here, above a page's
  // HydrationBoundary, made the boundary hydrate the components the server prefetched only in an
  // effect, so the server rendered guessed names and the browser fetched them again. Effects run
  // child first: by now a page's prefetched components are in the cache and this asks for nothing.
  useEffect(() => {
    if (session.isSuccess) void queryClient.prefetchQuery(componentsQueryOptions());
  }, [session.isSuccess, queryClient]);

  // On a phone the nav scrolls sideways: the current page's item is brought into it.
  const navRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const reveal = () => {
      const nav = navRef.current;
      const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
      if (!nav || !current) return;
      const [n, c] = [nav.getBoundingClientRect(), current.getBoundingClientRect()];
      if (c.right > n.right) nav.scrollLeft += c.right - n.right;
      else if (c.left < n.left) nav.scrollLeft -= n.left - c.left;
    };
    reveal();
    // A window turned or narrowed can push it out of view again.
    window.addEventListener("resize", reveal);
    return () => window.removeEventListener("resize", reveal);
  }, [pathname]);

  useEffect(() => {
    if (signedOut) router.replace(signInUrl(pathname));
  }, [signedOut, router, pathname]);

  const signOutMutation = useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      queryClient.clear();
      router.replace("/sign-in");
    },
  });

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 focus:not-sr-only focus:absolute focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
        {/* On phones the nav takes a row of its own under the logo and Sign out: six items do not fit beside them. */}
        <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-2 gap-y-1 px-3 pt-2 sm:h-14 sm:flex-nowrap sm:gap-4 sm:px-6 sm:pt-0">
          <Link href="/jobs" className="rounded-md text-zinc-900 dark:text-zinc-50">
            <Logo />
          </Link>
          <nav ref={navRef} aria-label="Main" className="flex min-w-0 items-center gap-0.5 overflow-x-auto text-sm max-sm:order-last max-sm:-mx-1.5 max-sm:w-[calc(100%+0.75rem)] max-sm:pb-1 sm:gap-1">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={pathname.startsWith(item.href) ? "page" : undefined}
                className="nav-link"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-3">
            {session.data ? (
              <>
                <div className="min-w-0 text-right text-xs leading-tight">
                  <p className="truncate font-medium text-zinc-900 dark:text-zinc-100" data-testid="project-name">
                    {session.data.project.name}
                  </p>
                  <p className="truncate text-zinc-500 dark:text-zinc-400" data-testid="token-description">
                    <span className="sr-only">Signed in as </span>
                    {session.data.token.description}
                    {!session.data.token.canManageJobs && " (read only)"}
                  </p>
                </div>
                <Button size="sm" className="shrink-0 whitespace-nowrap" onClick={() => signOutMutation.mutate()} disabled={signOutMutation.isPending}>
                  {signOutMutation.isPending ? <Spinner /> : null}
                  Sign out
                </Button>
              </>
            ) : (
              <Skeleton className="h-8 w-32" />
            )}
          </div>
        </div>
        {signOutMutation.error && (
          <p role="alert" className="mx-auto max-w-screen-2xl px-4 pb-2 text-sm text-red-700 dark:text-red-300 sm:px-6">
            Could not sign out: {signOutMutation.error.message}
          </p>
        )}
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-screen-2xl flex-1 px-4 py-6 outline-none sm:px-6">
        {/* The page mounts (hidden) while the session is checked, so its own data loads alongside. */}
        <div className={session.data ? undefined : "hidden"}>{signedOut ? null : children}</div>
        {session.data ? null : session.error && !signedOut ? (
          <ErrorState title="Could not check your session" error={session.error} onRetry={() => void session.refetch()} />
        ) : (
          <div className="space-y-3" aria-busy="true">
            <Skeleton className="h-8 w-48" />
            <Skeleton className="h-64 w-full" />
          </div>
        )}
      </main>
    </div>
  );
}
