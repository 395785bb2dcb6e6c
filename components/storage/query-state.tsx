import Link from "next/link";
import { ApiRequestError } from "@/lib/queries/storage";

/** What a Storage view shows while loading or after a failed request (401: sign in). */
export function QueryState({ error, loading, what }: { error: unknown; loading: boolean; what: string }) {
  if (error instanceof ApiRequestError && error.status === 401) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
        Sign in to see Storage. <Link href="/sign-in" className="font-medium text-sky-700 hover:underline">Sign in</Link>
      </p>
    );
  }
  if (error) {
    return <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">Could not load {what}: {(error as Error).message}</p>;
  }
  if (loading) return <p className="p-4 text-sm text-slate-500">Loading {what}…</p>;
  return null;
}
