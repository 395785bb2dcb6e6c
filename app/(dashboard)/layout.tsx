// Minimal dashboard frame from the storage branch; the dashboard shell's layout replaces it at merge.
import Link from "next/link";
import type { ReactNode } from "react";

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3 text-sm">
          <span className="font-semibold">Jobdeck</span>
          <Link href="/jobs" className="text-slate-600 hover:text-slate-900">Jobs</Link>
          <Link href="/storage" className="text-slate-600 hover:text-slate-900">Storage</Link>
        </nav>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </div>
  );
}
