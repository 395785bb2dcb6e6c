import { Link } from "@/components/link";
import { isApiRequestError } from "@/lib/queries/api-fetch";

/** What a Storage view shows while loading or after a failed request (401: sign in). */
export function QueryState({ error, loading, what }: { error: unknown; loading: boolean; what: string }) {
  if (isApiRequestError(error, 401)) {
    return (
      <p className="rounded-lg border border-zinc-200 dark:border-zinc-800 bg-white dark:bg-zinc-900 p-6 text-sm text-zinc-600 dark:text-zinc-400">
        Sign in to see Storage. <Link href="/sign-in" className="font-medium text-indigo-700 dark:text-indigo-300 hover:underline">Sign in</Link>
      </p>
    );
  }
  if (error) {
    return <p role="alert" className="rounded-lg border border-red-200 dark:border-red-900 bg-red-50 dark:bg-red-950/50 p-4 text-sm text-red-800 dark:text-red-200">Could not load {what}: {(error as Error).message}</p>;
  }
  if (loading) return <p className="p-4 text-sm text-zinc-500 dark:text-zinc-400">Loading {what}…</p>;
  return null;
}
