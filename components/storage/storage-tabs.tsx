"use client";
import { Link } from "@/components/link";
import { usePathname } from "next/navigation";

const TABS = [
  { href: "/storage/tables", label: "Tables" },
  { href: "/storage/files", label: "Files" },
  { href: "/storage/jobs", label: "Jobs" },
] as const;

export function StorageTabs() {
  const pathname = usePathname();
  return (
    <nav aria-label="Storage" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {TABS.map((tab) => {
        const active = pathname === tab.href || pathname.startsWith(`${tab.href}/`);
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-indigo-600 dark:border-indigo-400 text-indigo-700 dark:text-indigo-300" : "border-transparent text-zinc-600 dark:text-zinc-400 hover:text-zinc-900 dark:hover:text-zinc-100"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
